package io.engagementscorer.scoring;

/**
 * A prepared post and the model it was prepared for, which scores it: a post prepared just before a
 * model swap is still scored by the model whose tokenizers and image settings prepared it.
 */
record ScoringJob(ServedModel model, PreparedPost post) {}
