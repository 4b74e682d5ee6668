#!/usr/bin/env bash
# Checks docker-compose.yml (or the file given) for what `docker-compose config` does not:
#   - every image is pinned: a digest, or a tag that is neither missing nor floating (latest,
#     stable, a bare major or major.minor version such as 17 or 3.11-slim);
#   - every FROM and COPY --from image in the Dockerfiles it builds is pinned the same way;
#   - every file or directory it mounts or builds from exists: bind-mount sources, build
#     contexts, Dockerfiles, env_files, and top-level configs/secrets files.
# Prints each problem with the service it belongs to and exits 1 if there is any. Runs in CI
# (.ci/run) before the tests; needs Python 3 with PyYAML (Debian: python3-yaml, which Debian's
# docker-compose package brings).
set -euo pipefail
cd "$(dirname "$0")/.."
compose_file="${1:-docker-compose.yml}"

python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" > /dev/null && "$candidate" -c "import yaml" 2> /dev/null; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  echo "check-compose: needs Python 3 with PyYAML (apt-get install python3-yaml)" >&2
  exit 2
fi

exec "$python" - "$compose_file" <<'PY'
import re
import sys
from pathlib import Path

import yaml

FLOATING_TAGS = {"latest", "stable", "edge", "lts", "main", "master", "nightly", "current"}
# A tag that starts with a version must name at least major.minor.patch: 17, 3.11-slim and v3
# follow new releases; 17.0.16_8-jre-jammy, 3.11.13-slim-bookworm and v3.5.0 do not.
SHORT_VERSION = re.compile(r"^v?\d+(\.\d+)?([^.\d].*)?$")

compose_path = Path(sys.argv[1])
base = compose_path.parent
problems = []


def image_problem(image):
    """Why `image` is not pinned, or None."""
    if "$" in image:
        return "uses a variable, so what is pulled cannot be checked"
    if "@sha256:" in image:
        return None
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return "has no tag (pulls latest)"
    if tag in FLOATING_TAGS:
        return f"uses the floating tag '{tag}'"
    if SHORT_VERSION.match(tag):
        return f"uses the floating version tag '{tag}' (pin major.minor.patch)"
    return None


def check_image(image, where):
    problem = image_problem(image)
    if problem:
        problems.append(f"{where}: image {image} {problem}")


def check_path(raw, where, kind):
    if "$" in raw:
        problems.append(f"{where}: {kind} {raw} uses a variable; use a literal path")
        return None
    path = (base / raw).resolve() if not raw.startswith("/") else Path(raw)
    if not path.exists():
        problems.append(f"{where}: {kind} {raw} does not exist")
        return None
    return path


def check_dockerfile(dockerfile, where):
    stages = set()
    for number, line in enumerate(dockerfile.read_text().splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        instruction = words[0].upper()
        if instruction == "FROM":
            args = [word for word in words[1:] if not word.startswith("--")]
            image = args[0]
            if image.lower() != "scratch" and image not in stages:
                check_image(image, f"{where}: {dockerfile.name}:{number} FROM")
            if len(args) >= 3 and args[1].upper() == "AS":
                stages.add(args[2])
        elif instruction == "COPY":
            for word in words[1:]:
                if word.startswith("--from="):
                    source = word[len("--from="):]
                    if source not in stages and not source.isdigit():
                        check_image(source, f"{where}: {dockerfile.name}:{number} COPY --from")


def check_build(build, where):
    if isinstance(build, str):
        build = {"context": build}
    context = check_path(build.get("context", "."), where, "build context")
    if context is None:
        return
    dockerfile = context / build.get("dockerfile", "Dockerfile")
    if not dockerfile.is_file():
        problems.append(f"{where}: Dockerfile {dockerfile} does not exist")
        return
    check_dockerfile(dockerfile, where)


def check_volumes(volumes, where):
    for volume in volumes or []:
        if isinstance(volume, str):
            source = volume.split(":", 1)[0] if ":" in volume else None
            if source and source.startswith((".", "/", "~")):
                check_path(source, where, "mounted path")
        elif volume.get("type") == "bind":
            check_path(volume["source"], where, "mounted path")


def check_env_files(env_files, where):
    if isinstance(env_files, (str, dict)):
        env_files = [env_files]
    for env_file in env_files or []:
        if isinstance(env_file, dict):
            if env_file.get("required", True) is False:
                continue
            env_file = env_file["path"]
        check_path(env_file, where, "env_file")


compose = yaml.safe_load(compose_path.read_text())
for name, service in (compose.get("services") or {}).items():
    where = f"service {name}"
    if "build" in service:
        check_build(service["build"], where)
    elif "image" in service:
        check_image(service["image"], where)
    else:
        problems.append(f"{where}: has neither image nor build")
    check_volumes(service.get("volumes"), where)
    check_env_files(service.get("env_file"), where)
for section in ("configs", "secrets"):
    for name, item in (compose.get(section) or {}).items():
        if isinstance(item, dict) and "file" in item:
            check_path(item["file"], f"{section[:-1]} {name}", "file")

if problems:
    print(f"check-compose: {len(problems)} problem(s) in {compose_path}:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    sys.exit(1)
print(f"check-compose: {compose_path}: every image pinned, every mounted or built path present")
PY
