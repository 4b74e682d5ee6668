"""Experiment tracking with MLflow: parameters, metrics per epoch, the bundle as an artefact.

Runs go to `--tracking-uri`, else to `MLFLOW_TRACKING_URI` (a tracking server such as the
compose profile's, `http://127.0.0.1:5000`), else to a SQLite store in the run's folder
(`OUT/mlflow.db`, artefacts in `OUT/mlartifacts`). For SQLite stores, new experiments keep
their artefacts in `mlartifacts/` beside the database file; a server decides for itself.
"""

import os
import time
from collections.abc import Mapping
from pathlib import Path

from mlflow.entities import Metric, Param, RunStatus
from mlflow.tracking import MlflowClient

SQLITE_PREFIX = "sqlite:///"
ARTIFACTS_DIR = "mlartifacts"
LOCAL_STORE = "mlflow.db"


def tracking_uri(explicit: str | None, run_dir: Path) -> str:
    """`explicit`, else `MLFLOW_TRACKING_URI`, else the run folder's SQLite store."""
    return (
        explicit
        or os.environ.get("MLFLOW_TRACKING_URI")
        or SQLITE_PREFIX + str((run_dir / LOCAL_STORE).resolve())
    )


class Tracker:
    """Tracking switched off: every call does nothing."""

    run_id: str | None = None

    def log_params(self, params: Mapping) -> None:
        """Records the run's parameters (nested mappings flattened with dots)."""

    def set_tags(self, tags: Mapping[str, str]) -> None:
        """Sets tags on the run (unlike parameters, they may change)."""

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Records metrics, at `step` (the epoch) when given."""

    def log_artifacts(self, path: Path, artifact_path: str | None = None) -> None:
        """Uploads a file or a directory's files under `artifact_path`."""

    def finish(self, status: str) -> None:
        """Ends the run as FINISHED, FAILED or KILLED."""


class MlflowTracker(Tracker):
    """One MLflow run, new or resumed, in an experiment created on first use."""

    def __init__(
        self, uri: str, experiment: str, run_name: str, resume_run_id: str | None = None
    ) -> None:
        self.uri = uri
        self._client = MlflowClient(tracking_uri=uri)
        if resume_run_id is None:
            experiment_id = self._experiment_id(experiment)
            self.run_id = self._client.create_run(experiment_id, run_name=run_name).info.run_id
        else:
            self.run_id = self._client.get_run(resume_run_id).info.run_id
            self._client.update_run(self.run_id, status=RunStatus.to_string(RunStatus.RUNNING))

    def _experiment_id(self, name: str) -> str:
        """The experiment's id, creating it (artefacts beside a SQLite store) when new."""
        experiment = self._client.get_experiment_by_name(name)
        if experiment is not None:
            return experiment.experiment_id
        artifacts = None
        if self.uri.startswith(SQLITE_PREFIX):
            database = Path(self.uri[len(SQLITE_PREFIX) :])
            artifacts = (database.parent / ARTIFACTS_DIR).resolve().as_uri()
        return self._client.create_experiment(name, artifact_location=artifacts)

    def log_params(self, params: Mapping) -> None:
        flat = _flatten(params)
        self._client.log_batch(
            self.run_id, params=[Param(key, str(value)) for key, value in flat.items()]
        )

    def set_tags(self, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():
            self._client.set_tag(self.run_id, key, value)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        now = int(time.time() * 1000)
        self._client.log_batch(
            self.run_id,
            metrics=[
                Metric(key, float(value), now, 0 if step is None else step)
                for key, value in metrics.items()
            ],
        )

    def log_artifacts(self, path: Path, artifact_path: str | None = None) -> None:
        if path.is_dir():
            self._client.log_artifacts(self.run_id, str(path), artifact_path)
        else:
            self._client.log_artifact(self.run_id, str(path), artifact_path)

    def finish(self, status: str) -> None:
        self._client.set_terminated(self.run_id, status=status)


def _flatten(values: Mapping, prefix: str = "") -> dict:
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`; lists and scalars are leaves."""
    flat: dict = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
