package io.s4e.gateway.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * The configuration files the gateway was started with ({@code file:} entries of
 * {@code spring.config.additional-location}), read again to find changed routes. Only the routes are taken from a
 * changed file; every other setting keeps the value it had at start.
 */
final class RoutesFile {

    /** Where Spring Cloud Gateway binds routes from. */
    static final String ROUTES = "spring.cloud.gateway.server.webflux.routes";

    private final List<Path> files;
    private final ConfigurableEnvironment environment;

    private RoutesFile(List<Path> files, ConfigurableEnvironment environment) {
        this.files = List.copyOf(files);
        this.environment = environment;
    }

    /** The YAML files named by {@code spring.config.additional-location}, in order; empty when none is named. */
    static RoutesFile of(ConfigurableEnvironment environment) {
        List<Path> files = new ArrayList<>();
        String locations = environment.getProperty("spring.config.additional-location", "");
        for (String location : locations.split(",")) {
            String entry = location.trim();
            if (entry.startsWith("optional:")) {
                entry = entry.substring("optional:".length());
            }
            String lower = entry.toLowerCase(Locale.ROOT);
            if (entry.startsWith("file:") && (lower.endsWith(".yml") || lower.endsWith(".yaml"))) {
                files.add(Path.of(entry.substring("file:".length())));
            }
        }
        return new RoutesFile(files, environment);
    }

    List<Path> files() {
        return files;
    }

    /** The files' contents, read through symlinks (a ConfigMap swaps its {@code ..data} link on every update). */
    Snapshot read() throws IOException {
        List<byte[]> contents = new ArrayList<>();
        MessageDigest digest = sha256();
        for (Path file : files) {
            byte[] content = Files.readAllBytes(file);
            contents.add(content);
            digest.update(file.toString().getBytes());
            digest.update(content);
        }
        return new Snapshot(contents, HexFormat.of().formatHex(digest.digest()));
    }

    /** The files' bytes as read at one moment, and their hash. */
    record Snapshot(List<byte[]> contents, String hash) {
    }

    /**
     * The routes of {@code snapshot}, each checked as the gateway checks its routes at start: an id, a uri, known
     * predicates and filters, valid policy and limit metadata, no id twice.
     *
     * @throws IllegalArgumentException naming the file or route and what is wrong
     */
    List<RouteDefinition> routes(Snapshot snapshot, Set<String> predicates, Set<String> filters,
            List<RouteMetadataCheck> checks) {
        List<PropertySource<?>> sources = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            List<PropertySource<?>> documents;
            try {
                documents = new YamlPropertySourceLoader().load(files.get(i).toString(),
                        new ByteArrayResource(snapshot.contents().get(i)));
            }
            catch (IOException | RuntimeException invalid) {
                throw new IllegalArgumentException(files.get(i) + " is not valid YAML: " + firstLine(invalid));
            }
            documents = new ArrayList<>(documents);
            Collections.reverse(documents); // a later document overrides an earlier one
            sources.addAll(0, documents);   // and a later file an earlier one
        }
        List<RouteDefinition> routes;
        try {
            routes = new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(environment))
                    .bind(ROUTES, Bindable.listOf(RouteDefinition.class))
                    .orElse(List.of());
        }
        catch (RuntimeException invalid) {
            throw new IllegalArgumentException("the routes cannot be read: " + firstLine(invalid));
        }
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("no route is defined under " + ROUTES);
        }
        Set<String> ids = new HashSet<>();
        for (RouteDefinition route : routes) {
            check(route, ids, predicates, filters, checks);
        }
        return routes;
    }

    private static void check(RouteDefinition route, Set<String> ids, Set<String> predicates, Set<String> filters,
            List<RouteMetadataCheck> checks) {
        String id = route.getId();
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a route has no id");
        }
        if (!ids.add(id)) {
            throw new IllegalArgumentException("route id '" + id + "' is used twice");
        }
        if (route.getUri() == null) {
            throw new IllegalArgumentException("route '" + id + "' has no uri");
        }
        route.getPredicates().forEach(p -> known("predicate", p.getName(), id, predicates));
        route.getFilters().forEach(f -> known("filter", f.getName(), id, filters));
        try {
            for (RouteMetadataCheck check : checks) {
                check.check(id, route.getMetadata());
            }
        }
        catch (IllegalArgumentException invalid) {
            throw new IllegalArgumentException("route '" + id + "' has invalid metadata: " + invalid.getMessage());
        }
    }

    private static void known(String kind, String name, String route, Set<String> names) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException("route '" + route + "' uses an unknown " + kind + " '" + name + "'");
        }
    }

    private static String firstLine(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = String.valueOf(cause.getMessage());
        return message.lines().findFirst().orElse(message);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
