package io.s4e.gateway.inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar s4e-gateway.jar inject [--values FILE] < workload.yaml > injected.yaml}: reads a manifest on
 * standard input, writes it with the gateway injected on standard output, and what the operator must do on standard
 * error. Runs before and without Spring: nothing of the gateway starts.
 */
public final class InjectCommand {

    /** The first argument that selects this command. */
    public static final String NAME = "inject";

    static final String USAGE = """
            usage: java -jar s4e-gateway.jar inject [--values FILE] < workload.yaml > injected.yaml
              Adds s4e-gateway to a Deployment, StatefulSet or DaemonSet as a native sidecar (an init container with
              restartPolicy: Always). The pod's port named 'http' (portName) moves to the gateway; routes come from a
              ConfigMap (key gateway.yml), secrets from a Secret (its keys become environment variables).
              --values FILE  YAML with any of: image, imagePullPolicy, containerName, portName, port, managementPort,
                             configMap, secret, env, resources""";

    private InjectCommand() {
    }

    /** Whether {@code args} ask for this command. */
    public static boolean handles(String[] args) {
        return args.length > 0 && NAME.equals(args[0]);
    }

    /**
     * Runs the command.
     *
     * @return the process exit status: 0 when the manifest was written, 1 when it was refused, 2 on a usage error
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        InjectOptions options;
        try {
            options = options(List.of(args).subList(1, args.length));
        }
        catch (UsageException usage) {
            err.println("s4e-gateway inject: " + usage.getMessage());
            err.println(USAGE);
            return 2;
        }
        catch (InjectException refused) {
            err.println("s4e-gateway inject: " + refused.getMessage());
            return 1;
        }
        if (options == null) {
            out.println(USAGE);
            return 0;
        }
        try {
            String manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            SidecarInjector.Result result = new SidecarInjector(options).inject(manifest);
            out.print(result.manifest());
            out.flush();
            result.notes().forEach(note -> err.println("s4e-gateway inject: " + note));
            return 0;
        }
        catch (InjectException refused) {
            err.println("s4e-gateway inject: refused: " + refused.getMessage());
            return 1;
        }
        catch (IOException unreadable) {
            err.println("s4e-gateway inject: cannot read standard input: " + unreadable.getMessage());
            return 1;
        }
    }

    /** The options named by the arguments, or {@code null} when help was asked for. */
    private static InjectOptions options(List<String> args) {
        Path values = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                return null;
            }
            if (arg.equals("--values") || arg.equals("-f")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(arg + " needs a file");
                }
                values = Path.of(args.get(++i));
            }
            else if (arg.startsWith("--values=")) {
                values = Path.of(arg.substring("--values=".length()));
            }
            else {
                throw new UsageException("unknown argument '" + arg + "'");
            }
        }
        return values == null ? InjectOptions.defaults() : InjectOptions.from(read(values));
    }

    private static java.util.Map<String, Object> read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        }
        catch (NoSuchFileException missing) {
            throw new InjectException("the values file " + file + " does not exist");
        }
        catch (IOException unreadable) {
            throw new InjectException("cannot read the values file " + file + ": " + unreadable.getMessage());
        }
        List<Object> documents = Manifests.load(text);
        if (documents.isEmpty()) {
            return java.util.Map.of();
        }
        if (documents.size() > 1) {
            throw new InjectException("the values file " + file + " must be one YAML document");
        }
        return Manifests.object(documents.get(0), "the values file " + file);
    }

    private static final class UsageException extends RuntimeException {

        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
