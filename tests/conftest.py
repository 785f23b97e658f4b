import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("WORKSHOP_SCHNELL", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import kurs  # noqa: E402  (registriert den Notebook-Import)
