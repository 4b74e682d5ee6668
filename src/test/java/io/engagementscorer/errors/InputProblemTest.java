package io.engagementscorer.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InputProblemTest {
  @Test
  void shouldKeepTheWireValuesOfEveryProblemAndStage() {
    assertThat(Arrays.stream(InputProblem.values()).map(InputProblem::code))
        .containsExactly(
            "invalid_image",
            "image_too_large",
            "invalid_image_uri",
            "image_uri_forbidden",
            "image_not_found",
            "invalid_image_reference",
            "text_too_long",
            "too_many_comments",
            "comment_too_long");
    assertThat(Arrays.stream(DeadLetterStage.values()).map(DeadLetterStage::value))
        .containsExactly("decode", "image", "score");
  }

  @Test
  void shouldAnswerOnlyAnOversizedImageWith413() {
    for (InputProblem problem : InputProblem.values()) {
      assertThat(problem.httpStatus())
          .as(problem.code())
          .isEqualTo(problem == InputProblem.IMAGE_TOO_LARGE ? 413 : 422);
    }
  }

  @Test
  void shouldDeadLetterImageProblemsAtTheImageStageAndTheRestAtScoring() {
    for (InputProblem problem : InputProblem.values()) {
      assertThat(problem.deadLetterStage())
          .as(problem.code())
          .isEqualTo(
              problem.code().contains("image") ? DeadLetterStage.IMAGE : DeadLetterStage.SCORE);
    }
  }
}
