package io.engagementscorer.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextCleanerTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "the design example          | Check out this amazing sunset! #beautiful #nature | check out this amazing sunset beautiful nature",
        "urls removed                | See https://example.com/a?b=1 and www.example.org now | see and now",
        "mentions removed            | Thanks @best_friend99 for the tip! | thanks for the tip",
        "apostrophes deleted         | Don't stop, it's GREAT | dont stop its great",
        "emoji removed               | Love it 😍🔥 so much | love it so much",
        "emoji between words         | fire🔥emoji | fireemoji",
        "digits kept                 | Top 10 spots in 2024! | top 10 spots in 2024",
        "korean kept                 | 정말 아름다운 석양이에요! #여행 | 정말 아름다운 석양이에요 여행",
        "japanese kept               | 素晴らしい景色！　#旅行 | 素晴らしい景色 旅行",
        "russian lower-cased         | Отличный Закат! | отличный закат",
        "arabic kept                 | غروب جميل جدا! | غروب جميل جدا",
        "hindi keeps combining marks | बहुत सुंदर दृश्य! | बहुत सुंदर दृश्य",
        "greek final sigma           | ΟΔΟΣ | οδος",
        "whitespace collapsed        | `  many\t\tspaces\n\nand lines  ` | many spaces and lines",
        "nothing left                | `!!! ??? 🎉` | ``",
      })
  void shouldCleanTextAsTheModelWasTrainedOnIt(String rule, String raw, String cleaned) {
    assertThat(TextCleaner.clean(raw)).as(rule).isEqualTo(cleaned == null ? "" : cleaned);
  }
}
