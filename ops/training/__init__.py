"""Fine-tunes the engagement regressor with LoRA on labelled posts and exports its bundle.

MLflow's client sends anonymous usage data to its makers unless told not to; training runs keep
it off unless `MLFLOW_DISABLE_TELEMETRY` is set otherwise. This runs before any submodule (and so
MLflow) is imported.
"""

import os

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
