package io.engagementscorer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;

/**
 * The layering, as rules: the scoring core knows neither Kafka nor Javalin, each framework stays on
 * its own side, and the feature packages form no cycle. {@code Application}, in the root package,
 * is the one place that wires the sides together, so the framework rules cover the feature
 * packages. The rules are methods, not fields: Surefire 3.5.3 does not run {@code @ArchTest} fields
 * (TNG/ArchUnit#1442).
 */
@AnalyzeClasses(
    packages = "io.engagementscorer",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String[] CORE = {
    "io.engagementscorer.model..",
    "io.engagementscorer.preprocess..",
    "io.engagementscorer.scoring.."
  };

  @ArchTest
  void theScoringCoreKnowsNeitherKafkaNorJavalin(JavaClasses classes) {
    noClasses()
        .that()
        .resideInAnyPackage(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "io.javalin..")
        .check(classes);
  }

  @ArchTest
  void onlyTheHttpSideImportsJavalin(JavaClasses classes) {
    noClasses()
        .that()
        .resideInAPackage("io.engagementscorer.(*)..")
        .and()
        .resideOutsideOfPackage("io.engagementscorer.http..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.javalin..")
        .check(classes);
  }

  @ArchTest
  void onlyTheStreamSideImportsKafkaStreams(JavaClasses classes) {
    noClasses()
        .that()
        .resideInAPackage("io.engagementscorer.(*)..")
        .and()
        .resideOutsideOfPackage("io.engagementscorer.stream..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.kafka.streams..")
        .check(classes);
  }

  @ArchTest
  void theFeaturePackagesFormNoCycle(JavaClasses classes) {
    slices().matching("io.engagementscorer.(*)..").should().beFreeOfCycles().check(classes);
  }
}
