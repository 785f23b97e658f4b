"""Was die Q-Werte der mitgelieferten Agenten zeigen: die Zahlen hinter zwei Sätzen der Lektionen (#38).

    python3 bench/q_values.py

- Lektion 3, Checkliste Punkt 5: Wie groß werden die Q-Werte eines gelösten CartPole-Agenten
  (models/cartpole.keras)? max_a Q(s, a) in jedem Schritt von 10 gierigen Episoden (ungesehene Starts, Seeds ab
  10 000); Median und Maximum, neben der Schranke 1/(1 − γ).
- Lektion 6, Q-Wert-Diagramm: Was tut max_a Q des mitgelieferten Breakout-Agenten um einen verlorenen Ball?
  5 Spiele wie in der Lektion (ε = 0,05, atari.record_episode); der Median von max Q in den 5 Schritten vor
  jedem verlorenen Ball, in den 5 Schritten danach (neuer Aufschlag) und über alle Schritte.

Ergebnis: bench/results/q_values.json.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results" / "q_values.json"
WINDOW = 5


def cartpole(episodes=10, seed=10_000):
    import gymnasium as gym

    import dqn

    _, q_model = dqn.load_model(ROOT / "models" / "cartpole.keras")
    provenance = json.loads((ROOT / "models" / "cartpole.json").read_text(encoding="utf-8"))
    gamma = provenance["config"]["gamma"]
    q_max = []
    env = gym.make("CartPole-v1")
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        over = False
        while not over:
            q = np.asarray(q_model.predict_on_batch(obs[None]))[0]
            q_max.append(float(q.max()))
            obs, _, terminated, truncated, _ = env.step(int(np.argmax(q)))
            over = terminated or truncated
    env.close()
    return dict(
        episodes=episodes,
        steps=len(q_max),
        gamma=gamma,
        bound=1 / (1 - gamma),
        median=float(np.median(q_max)),
        max=float(np.max(q_max)),
    )


def breakout(games=5):
    import atari
    import dqn

    q_model, *_ = dqn.load_shipped("breakout")
    before, after, everything, lost = [], [], [], 0
    scores = []
    for game in range(games):
        record = atari.record_episode(q_model, seed=game, max_steps=20_000)
        q, lost_at = record["q_max"], np.flatnonzero(record["life_lost"])
        scores.append(record["score"])
        everything.extend(q.tolist())
        for step in lost_at:  # q[step] ist der Wert im Zustand, aus dem der Schritt zum Verlust führte
            lost += 1
            before.extend(q[max(0, step - WINDOW + 1) : step + 1].tolist())
            after.extend(q[step + 1 : step + 1 + WINDOW].tolist())
    return dict(
        games=games,
        scores=scores,
        balls_lost=lost,
        window=WINDOW,
        median_all=float(np.median(everything)),
        median_before_loss=float(np.median(before)),
        median_after_new_ball=float(np.median(after)),
    )


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    result = dict(cartpole=cartpole(), breakout=breakout())
    OUT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
