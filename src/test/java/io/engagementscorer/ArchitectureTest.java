package io.engagementscorer;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import io.engagementscorer.avro.EngagementScore;
import io.engagementscorer.s3.S3Connection;
import io.engagementscorer.stream.ScoreRecords;
import software.amazon.awssdk.services.s3.S3Client;

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
    "io.engagementscorer.rollout..",
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

  /** The service has one S3 client, shared: only the s3 package builds or opens one. */
  @ArchTest
  void onlyTheS3PackageOpensAnS3Client(JavaClasses classes) {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.engagementscorer.s3..")
        .should()
        .callMethodWhere(target(owner(type(S3Client.class))).and(target(name("builder"))))
        .orShould()
        .callMethodWhere(target(owner(type(S3Connection.class))).and(target(name("open"))))
        .check(classes);
  }

  /**
   * Settings records and their defaults live with the code they configure; config reads the
   * environment into them, so the packages it configures never look back at it.
   */
  @ArchTest
  void theS3AndFetchPackagesKnowNothingOfConfig(JavaClasses classes) {
    noClasses()
        .that()
        .resideInAnyPackage("io.engagementscorer.s3..", "io.engagementscorer.fetch..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.engagementscorer.config..")
        .check(classes);
  }

  /**
   * A score is one record, {@link io.engagementscorer.scoring.Score}; the stream's Avro record of
   * it is built in one place, {@link ScoreRecords}, so the two cannot drift apart.
   */
  @ArchTest
  void onlyScoreRecordsBuildsTheAvroScore(JavaClasses classes) {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.engagementscorer.avro..")
        .and()
        .doNotBelongToAnyOf(ScoreRecords.class)
        .should()
        .callMethodWhere(target(owner(type(EngagementScore.class))).and(target(name("newBuilder"))))
        .check(classes);
  }

  @ArchTest
  void theFeaturePackagesFormNoCycle(JavaClasses classes) {
    slices().matching("io.engagementscorer.(*)..").should().beFreeOfCycles().check(classes);
  }
}
