"""Latency over the dev queries: in-process (cold, warm) and HTTP against the production server.

    python -m bench.dev_latency INDEX_DIR
"""
import json, sys, time, subprocess, http.client, socket, os
from urllib.parse import urlencode
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from bench.measures import percentile
from search.engine import Engine
index = sys.argv[1]
cases = json.load(open(__import__('pathlib').Path(__file__).resolve().parent.parent / 'tests' / 'eval' / 'dev.json', encoding='utf-8'))
e = Engine(index); e.search('预热')
def run():
    t = []
    for c in cases:
        s = time.perf_counter(); e.search(c['query'], county=[c['county']] if c['county'] else []); t.append((time.perf_counter()-s)*1000)
    return t
cold = run(); warm = run() + run()
print('in-process cold p50 %.1f p95 %.1f | warm p50 %.2f p95 %.2f ms' % (percentile(cold,50), percentile(cold,95), percentile(warm,50), percentile(warm,95)))
with socket.socket() as s: s.bind(('127.0.0.1',0)); port = s.getsockname()[1]
proc = subprocess.Popen([sys.executable, '-c', 'from search.cli import cli; cli()', 'serve', '--port', str(port), '--index', index],
                        env={**os.environ, 'POLICY_SEARCH_RATE_LIMIT': '0'}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            c = http.client.HTTPConnection('127.0.0.1', port, timeout=5); c.request('GET', '/'); c.getresponse().read(); break
        except OSError: time.sleep(0.2)
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    def req():
        t = []
        for c in cases:
            q = [('q', c['query'])] + ([('county', c['county'])] if c['county'] else [])
            s = time.perf_counter(); conn.request('GET', '/search?' + urlencode(q)); r = conn.getresponse(); r.read(); assert r.status == 200
            t.append((time.perf_counter()-s)*1000)
        return t
    first = req(); again = req() + req()
    print('HTTP /search first p50 %.1f p95 %.1f | again p50 %.1f p95 %.1f ms' % (percentile(first,50), percentile(first,95), percentile(again,50), percentile(again,95)))
finally:
    proc.terminate(); proc.wait()
