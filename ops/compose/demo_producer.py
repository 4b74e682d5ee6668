"""Publishes sample posts to the stack's Kafka topic, as the Java DemoProducer does for the local stack.

Each of the first DEMO_POSTS posts gets text (several languages, hashtags, links, emoji), a small
PNG picture drawn here (sky gradient and sun) sent inline as base64, and a few comments; after
that, comments keep arriving for random posts so that the service scores them again. Events are
JSON (the service reads them with INPUT_FORMAT=auto or json), keyed by post id. The texts and
comments come from demo-posts.json beside this file, which the Java DemoProducer reads too.

Environment: KAFKA_BOOTSTRAP_SERVERS (kafka:9092), INPUT_TOPIC (posts), DEMO_POSTS (20),
DEMO_PAUSE_S (1.5). Needs confluent-kafka only; stops cleanly on SIGTERM (docker stop).
"""

import base64
import json
import os
import random
import signal
import struct
import sys
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

from confluent_kafka import Producer

SAMPLES = json.loads(Path(__file__).with_name("demo-posts.json").read_text(encoding="utf-8"))
TEXTS = SAMPLES["texts"]
COMMENTS = SAMPLES["comments"]
WIDTH, HEIGHT = 160, 120


def picture(seed: int) -> bytes:
    """A PNG: a vertical sky gradient with a sun whose place and size depend on `seed`."""
    shapes = random.Random(seed)
    top = (40 + shapes.randrange(80), 60, 160)
    bottom = (250, 120 + shapes.randrange(100), 60)
    sun_x, sun_y = 20 + shapes.randrange(100), 30 + shapes.randrange(30)
    sun_r = 8 + shapes.randrange(10)
    rows = []
    for y in range(HEIGHT):
        mix = y / (HEIGHT - 1)
        sky = bytes(round(a + (b - a) * mix) for a, b in zip(top, bottom))
        row = bytearray(b"\x00")  # PNG filter type "none"
        for x in range(WIDTH):
            inside = (x - sun_x) ** 2 + (y - sun_y) ** 2 <= sun_r**2
            row += b"\xff\xdc\x78" if inside else sky
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class DemoPosts:
    """Makes the events: new posts first, then new comments for posts already published."""

    def __init__(self, posts: int):
        self.posts = posts
        self.random = random.Random(2026)
        self.comment_counter = 0

    def new_post(self, index: int) -> dict:
        post_id = f"demo-{index}"
        return {
            "post_id": post_id,
            "text": TEXTS[index % len(TEXTS)],
            "image": {"base64": base64.b64encode(picture(index)).decode("ascii")},
            "comments": self.comments(self.random.randrange(3)),
            "event_time": _now(),
        }

    def more_comments(self) -> dict:
        post_id = f"demo-{self.random.randrange(self.posts)}"
        return {"post_id": post_id, "comments": self.comments(1 + self.random.randrange(3))}

    def comments(self, count: int) -> list:
        made = []
        for _ in range(count):
            self.comment_counter += 1
            made.append(
                {
                    "comment_id": f"comment-{self.comment_counter}",
                    "text": self.random.choice(COMMENTS),
                    "created_at": _now(),
                }
            )
        return made


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def main() -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    topic = os.environ.get("INPUT_TOPIC", "posts")
    posts = int(os.environ.get("DEMO_POSTS", "20"))
    pause = float(os.environ.get("DEMO_PAUSE_S", "1.5"))
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    running = True

    def stop(signum, frame):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    demo = DemoPosts(posts)
    print(f"publishing demo posts to {topic} on {bootstrap}", flush=True)
    published = 0
    while running:
        event = demo.new_post(published) if published < posts else demo.more_comments()
        producer.produce(topic, key=event["post_id"], value=json.dumps(event).encode("utf-8"))
        producer.poll(0)
        published += 1
        print(
            f"sent {event['post_id']:<8} comments +{len(event['comments'])}"
            + (f'  "{event["text"]}"' if "text" in event else ""),
            flush=True,
        )
        time.sleep(pause)
    unsent = producer.flush(10)
    print(f"stopped after {published} events ({unsent} unsent)", flush=True)
    return 0 if unsent == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
