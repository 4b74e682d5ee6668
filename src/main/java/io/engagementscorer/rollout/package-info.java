/**
 * Rolling out a new model on live traffic: which posts a candidate scores in the shadow, how its
 * scores compare with the served model's, and how far re-scoring the stored posts for a new model
 * has come. Neither Kafka nor DJL: the stream and the scorer use these.
 */
package io.engagementscorer.rollout;
