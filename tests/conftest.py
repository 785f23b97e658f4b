import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "scripts"))  # die Skripte (train_agent, train_breakout) als Module für die Tests
os.environ.setdefault("WORKSHOP_QUICK", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import course  # noqa: E402

course.setup()  # wie die erste Zelle jeder Lektion: `import Ringbuffer, utils`, PATH, SDL, TensorFlow leise

# Ein winziges DQN-Training für Tests (Sekunden): kleine Netze, kurze Bewertungen
TINY_DQN = dict(learning_starts=100, batch_size=32, eval_episodes=2, eval_screen_episodes=2, hidden_units=(16,))

NETWORK_BLOCK = Path(__file__).parent / "network_block"  # sitecustomize.py: ein Prozess darf nur localhost erreichen


def offline_env(log, base=None):
    """Umgebungsvariablen, unter denen ein neuer Python-Prozess nur localhost erreicht; Versuche landen in `log`."""
    base = os.environ if base is None else base
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(NETWORK_BLOCK), base.get("PYTHONPATH")])),
        "WORKSHOP_NETZPROTOKOLL": str(log),
    }
