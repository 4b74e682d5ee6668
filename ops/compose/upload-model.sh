#!/bin/sh
# One-shot job of docker-compose.yml (service model-upload): publishes the bundle mounted at
# BUNDLE_DIR to the stack's S3 store, under each key in MODEL_KEYS that does not hold an object
# yet. A key that already holds one is left alone, so `docker compose up` never overwrites a
# model a person has published since (python -m exporter.publish, see the README).
#
# Runs in a python:3.11-slim container from /ops (exporter/ mounted read-only); needs only boto3.
# Environment: BUNDLE_DIR, S3_BUCKET_NAME, MODEL_KEYS (space-separated), S3_ENDPOINT, AWS_REGION,
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
set -eu

pip install --quiet --no-cache-dir boto3==1.44.5

# Prints "exists" or "missing"; any other answer of the store (credentials, endpoint) fails the job.
object_state() {
  python - "$1" <<'PY'
import os, sys
from botocore.exceptions import ClientError
from exporter.publish import s3_client

s3 = s3_client(os.environ["S3_ENDPOINT"], os.environ["AWS_REGION"], path_style=True)
try:
    s3.head_object(Bucket=os.environ["S3_BUCKET_NAME"], Key=sys.argv[1])
    print("exists")
except ClientError as error:
    if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NoSuchBucket"):
        raise
    print("missing")
PY
}

for key in $MODEL_KEYS; do
  state=$(object_state "$key")
  if [ "$state" = exists ]; then
    echo "[model-upload] s3://$S3_BUCKET_NAME/$key exists; keeping it"
  else
    python -m exporter.publish "$BUNDLE_DIR" --bucket "$S3_BUCKET_NAME" --key "$key" \
      --endpoint-url "$S3_ENDPOINT" --region "$AWS_REGION" --create-bucket
  fi
done
