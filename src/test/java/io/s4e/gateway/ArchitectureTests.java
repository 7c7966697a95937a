package io.s4e.gateway;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of the gateway, so its shape stays (docs/development.md): no cycles between packages, and the
 * layers below, each using only the layers under it.
 *
 * <pre>
 *   features   apikey session user mfa passkey login ratelimit route relay audit connection console ops bootstrap inject
 *   identity   principal
 *   carriers   credential cluster
 *   base       web config reactive
 * </pre>
 */
class ArchitectureTests {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.s4e.gateway");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.s4e.gateway.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("base").definedBy("io.s4e.gateway.web..", "io.s4e.gateway.config..",
                        "io.s4e.gateway.reactive..")
                .layer("carriers").definedBy("io.s4e.gateway.credential..", "io.s4e.gateway.cluster..")
                .layer("identity").definedBy("io.s4e.gateway.principal..")
                .layer("features").definedBy("io.s4e.gateway.apikey..", "io.s4e.gateway.session..",
                        "io.s4e.gateway.user..", "io.s4e.gateway.mfa..", "io.s4e.gateway.passkey..",
                        "io.s4e.gateway.login..",
                        "io.s4e.gateway.ratelimit..", "io.s4e.gateway.route..", "io.s4e.gateway.relay..",
                        "io.s4e.gateway.audit..", "io.s4e.gateway.connection..", "io.s4e.gateway.console..",
                        "io.s4e.gateway.ops..", "io.s4e.gateway.bootstrap..", "io.s4e.gateway.inject..")
                .whereLayer("features").mayOnlyBeAccessedByLayers("features")
                .whereLayer("identity").mayOnlyBeAccessedByLayers("features")
                .whereLayer("carriers").mayOnlyBeAccessedByLayers("identity", "features")
                .check(classes);
    }

    @Test
    void theAuditLogIsASinkThatNoFeatureDependsOnTheOtherWay() {
        noClasses().that().resideInAPackage("io.s4e.gateway.audit..")
                .should().dependOnClassesThat().resideInAnyPackage("io.s4e.gateway.apikey..",
                        "io.s4e.gateway.login..", "io.s4e.gateway.mfa..", "io.s4e.gateway.user..",
                        "io.s4e.gateway.ratelimit..", "io.s4e.gateway.route..", "io.s4e.gateway.relay..")
                .check(classes);
    }

    @Test
    void theWebLayerTellsRefusalListenersAndKnowsNothingOfTheAuditLog() {
        noClasses().that().resideInAPackage("io.s4e.gateway.web..")
                .should().dependOnClassesThat().resideInAPackage("io.s4e.gateway.audit..")
                .check(classes);
    }
}
