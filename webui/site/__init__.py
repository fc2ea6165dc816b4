"""The site's plumbing, shared by every feature: the engine of an app (``searcher``), sessions and
CSRF (``sessions``), error pages (``errors``), template globals and notices (``templating``), links
(``urls``), the results-page cache (``page_cache``), response headers (``security``) and the rate
limit (``limits``).

May import: ``search.*`` (the engine and its errors, settings, briefing limits), Flask and Werkzeug.
Never imports a feature package (``webui.searching``, ``webui.figures``, ``webui.briefings``) nor
``webui`` itself: a feature hands in what is its own (``errors.add_help``, ``limits.costs``, its
template globals in its ``init_app``).
"""
