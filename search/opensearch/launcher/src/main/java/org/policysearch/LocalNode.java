package org.policysearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, for trying the OpenSearch backend and for tests.
 *
 * Usage: LocalNode HOME KEY=VALUE... (node settings; path.home is HOME). Prints "READY" once
 * started, then runs until the process is killed. It is not the distribution's Bootstrap: no
 * security manager, no bootstrap checks, no jar-hell check, so HOME's plugins/ and modules/ must
 * stay empty (anything found there would be loaded as a plugin bundle).
 */
public final class LocalNode extends Node {

    private LocalNode(Settings settings) {
        // The protected constructor takes plugin classes in 2.x (PluginInfo only in 3.x).
        super(InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), null, () -> "node"),
              List.of(Netty4Plugin.class, CommonAnalysisPlugin.class), true);
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]).toAbsolutePath();
        for (String dir : List.of("config", "data", "logs", "plugins", "modules")) {
            Files.createDirectories(home.resolve(dir));
        }
        Settings.Builder settings = Settings.builder().put("path.home", home.toString());
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv[1].contains(",")) {
                settings.putList(kv[0], kv[1].split(","));
            } else {
                settings.put(kv[0], kv[1]);
            }
        }
        LocalNode node = new LocalNode(settings.build());
        // Node threads are daemons: main must not return while the node serves.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception ignored) {
                // Shutting down anyway.
            }
            stopped.countDown();
        }));
        node.start();
        System.out.println("READY");
        System.out.flush();
        stopped.await();
    }
}
