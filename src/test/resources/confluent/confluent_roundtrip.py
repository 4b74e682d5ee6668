"""Publishes post events with Confluent's Python client and reads the scores back with it.

ConfluentClientIT runs this with ops/.venv-clients (ops/requirements-clients.txt): Confluent's
SchemaRegistryClient, AvroSerializer (TopicNameStrategy: subject "posts-value", registered on
first use) and AvroDeserializer, against the broker, registry and service the Java test started.

    python confluent_roundtrip.py --bootstrap HOST:PORT --registry URL --schema WRITER.avsc \
        --events EVENTS.json [--timeout SECONDS]

EVENTS.json is a list of post events as the writer schema spells them, published in order, keyed
by post id; an "image_file" entry becomes the event's inline image bytes. The script reads
"engagement-scores" (read_committed) until every post has a score counting all its distinct
comments, then prints one JSON object on stdout: the subject and writer schema the serializer
registered, and every score read. Everything else goes to stderr.
"""

import argparse
import json
import sys
import time
import uuid
from datetime import datetime

from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

INPUT_TOPIC = "posts"
OUTPUT_TOPIC = "engagement-scores"


def log(message):
    print(message, file=sys.stderr, flush=True)


def load_events(path):
    with open(path, encoding="utf-8") as file:
        events = json.load(file)
    for event in events:
        image_file = event.pop("image_file", None)
        if image_file is not None:
            with open(image_file, "rb") as image:
                event["image"] = {"bytes": image.read(), "uri": None}
    return events


def expected_comment_counts(events):
    comments = {}
    for event in events:
        ids = comments.setdefault(event["postId"], set())
        ids.update(comment["commentId"] for comment in event.get("comments", []))
    return {post_id: len(ids) for post_id, ids in comments.items()}


def publish(bootstrap, registry, schema, events):
    serializer = AvroSerializer(
        registry,
        schema,
        conf={"auto.register.schemas": True, "subject.name.strategy": topic_subject_name_strategy},
    )
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    failures = []

    def delivered(error, message):
        if error is not None:
            failures.append(f"{message.key()}: {error}")

    for event in events:
        value = serializer(event, SerializationContext(INPUT_TOPIC, MessageField.VALUE))
        producer.produce(INPUT_TOPIC, key=event["postId"].encode(), value=value, on_delivery=delivered)
        producer.poll(0)
    remaining = producer.flush(30)
    if remaining or failures:
        raise KafkaException(f"{remaining} undelivered, failures: {failures}")
    log(f"published {len(events)} events to {INPUT_TOPIC}")


def plain(score):
    return {
        name: int(value.timestamp() * 1000) if isinstance(value, datetime) else value
        for name, value in score.items()
    }


def read_scores(bootstrap, registry, expected, timeout):
    deserializer = AvroDeserializer(registry)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"confluent-roundtrip-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([OUTPUT_TOPIC])
    scores = []
    complete = set()
    deadline = time.monotonic() + timeout
    try:
        while len(complete) < len(expected) and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error() is not None:
                log(f"consumer: {message.error()}")
                continue
            score = deserializer(message.value(), SerializationContext(OUTPUT_TOPIC, MessageField.VALUE))
            scores.append(plain(score))
            post_id = score["postId"]
            if post_id in expected and score["commentCount"] == expected[post_id]:
                complete.add(post_id)
    finally:
        consumer.close()
    log(f"read {len(scores)} scores; {len(complete)} of {len(expected)} posts complete")
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    with open(args.schema, encoding="utf-8") as file:
        schema = file.read()
    events = load_events(args.events)
    registry = SchemaRegistryClient({"url": args.registry})
    publish(args.bootstrap, registry, schema, events)
    registered = registry.get_latest_version(f"{INPUT_TOPIC}-value")
    scores = read_scores(args.bootstrap, registry, expected_comment_counts(events), args.timeout)
    json.dump(
        {
            "subject": registered.subject,
            "schema_id": registered.schema_id,
            "writer_schema": json.loads(registered.schema.schema_str),
            "scores": scores,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
