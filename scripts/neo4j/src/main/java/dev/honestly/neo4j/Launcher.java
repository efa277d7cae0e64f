package dev.honestly.neo4j;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * An embedded Neo4j Community server for Honestly's tests: the database lives in DATA_DIR, Bolt
 * listens on 127.0.0.1:PORT with authentication enabled, and user {@code neo4j} has the given
 * password. Prints {@code READY bolt://127.0.0.1:PORT} once Bolt accepts connections and shuts
 * the database down cleanly on SIGTERM/SIGINT.
 *
 * <p>Usage: {@code java dev.honestly.neo4j.Launcher DATA_DIR PORT} with the password in the
 * environment variable {@code NEO4J_PASSWORD} (kept off the command line, which {@code ps}
 * shows), or as a third argument.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Launcher DATA_DIR PORT [PASSWORD] (or NEO4J_PASSWORD in the environment)");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = args.length > 2 ? args[2] : System.getenv("NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("a password of at least 8 characters is required (NEO4J_PASSWORD)");
            System.exit(2);
        }

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(128))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            dbms.shutdown();
            System.out.println("STOPPED");
            stopped.countDown();
        }, "neo4j-shutdown"));

        // Embedded transactions are not subject to authentication: set the password of the
        // initial user through the system database before announcing readiness.
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException e) {
            // A restart on an existing directory with the same password: nothing to change.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }

        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!accepts(port)) {
            if (System.nanoTime() > deadline) {
                System.err.println("Bolt did not accept connections on port " + port);
                System.exit(1);
            }
            Thread.sleep(100);
        }
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
