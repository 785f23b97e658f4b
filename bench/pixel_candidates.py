"""Kandidaten für Lektion 6, erster Akt: eine Pixel-Aufgabe, auf der die Bausteine der Lektion (eigenes CNN,
Bildstapel aus `push_frame`, Lernsignal) mit Schleife, Replay und Double DQN aus Lektion 3–5 in höchstens
10 Minuten Laptop-CPU sichtbar lernen (Issue #39).

    python3 workshop.py bench pixel_candidates --candidate minatar-breakout --seeds 10 --minutes 10

Kriterium: nach ≤ 10 Minuten Training erreicht das gierige Mittel über 30 Episoden (Startzustände, die weder
Training noch Auswahl sahen: Seeds ab 10 000) mindestens das Dreifache des Zufallsagenten, auf 10 von 10 Seeds.
Jeder Seed läuft in einem eigenen Prozess, nacheinander. Gemessen werden Schritte pro Sekunde (reine
Trainingszeit, ohne Bewertungen), das gierige Mittel nach 2,5 / 5 / 7,5 / 10 Minuten Training, der Zufallsagent
auf denselben Startzuständen und der größte Speicherbedarf (maxrss). Ergebnis: bench/results/pixel_<kandidat>.json.

Kandidat `mini-breakout` (gewählt, Lektion 6, Akt 1): `atari.MiniBreakout`, dieselben Regeln wie MinAtar Breakout,
ohne das Paket (Schritt für Schritt verglichen: 300 Spiele, 17 168 Schritte, keine Abweichung). Jeder Seed läuft genau
wie die Lektion: `dqn.train(dqn.preset(atari.MINI_ID), seed, models=…)` mit `atari.build_small_cnn()`, 40 000 Schritte,
gierig bewertet alle 5 000 Schritte über 30 Spiele. Das Ergebnis ist zugleich das Band, das die Lektion zeigt.

    python3 workshop.py bench pixel_candidates --candidate mini-breakout --seeds 10

Kandidat `atari-breakout`: Atari Breakout mit Vorverarbeitung und Nature-CNN der Lektion, verkürzt (ATARI_REDUCED),
`--minutes` Minuten Training, dann 30 Spiele gierig; Zufall auf denselben Startzuständen.

Kandidat `minatar-breakout`: MinAtar Breakout (Young & Tian 2019, Paket `minatar`), 10×10 Felder, 3 Aktionen
(nichts, links, rechts), mit »sticky actions« 0,1 wie im Paper. Statt MinAtars vier Objekt-Kanäle (mit einer
Spur, die die Richtung des Balls verrät) sieht der Agent ein Graustufenbild: Ziegel 85, Schläger 170, Ball 255.
Die Richtung des Balls steckt dann nur im Bildstapel, wie bei Atari.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
EVAL_SEED = 10_000
EVAL_EPISODES = 30
ENV_ID = "Workshop/MinAtarBreakout-v0"


def minatar_breakout_class():
    import gymnasium as gym
    import numpy as np

    class MinAtarBreakout(gym.Env):
        """MinAtar Breakout als Gymnasium-Umgebung: ein Graustufenbild (10, 10) uint8, Aktionen 0 nichts, 1 links,
        2 rechts. Eine Episode endet, wenn der Ball unten durchfällt (oder nach `max_steps` Schritten)."""

        metadata = {"render_modes": ["rgb_array"], "render_fps": 15}
        INTENSITY = {"brick": 85, "paddle": 170, "ball": 255}

        def __init__(self, render_mode=None, sticky_action_prob=0.1):
            import logging

            logging.getLogger().setLevel(logging.ERROR)  # minatar warnt ohne seaborn; wir zeichnen selbst
            from minatar import Environment

            self.game = Environment("breakout", sticky_action_prob=sticky_action_prob)
            self.actions = self.game.minimal_action_set()  # nichts, links, rechts
            self.observation_space = gym.spaces.Box(0, 255, (10, 10), np.uint8)
            self.action_space = gym.spaces.Discrete(len(self.actions))
            self.render_mode = render_mode

        def _frame(self):
            state = self.game.state()
            channels = self.game.env.channels
            frame = np.zeros((10, 10), np.uint8)
            for name, value in self.INTENSITY.items():  # Ball zuletzt: er liegt über allem
                frame[state[:, :, channels[name]]] = value
            return frame

        def reset(self, seed=None, options=None):
            super().reset(seed=seed)
            self.game.seed(int(self.np_random.integers(2**31)))
            self.game.reset()
            return self._frame(), {}

        def step(self, action):
            reward, terminated = self.game.act(self.actions[int(action)])
            return self._frame(), float(reward), bool(terminated), False, {}

        def render(self):
            return np.repeat(np.repeat(self._frame(), 20, axis=0), 20, axis=1)[..., None].repeat(3, axis=2)

    return MinAtarBreakout


def minatar_installed():
    import importlib.util

    return importlib.util.find_spec("minatar") is not None


def make_minatar_breakout(push_frame=None, history=4):
    import atari

    return atari.FrameStack(minatar_breakout_class()(), history=history, push_frame=push_frame)


def register():
    import gymnasium as gym

    import atari  # noqa: F401  (meldet Workshop/MiniBreakout-v0 an)

    if ENV_ID not in gym.registry and minatar_installed():
        gym.register(ENV_ID, entry_point=make_minatar_breakout, max_episode_steps=10_000)


CANDIDATES = ("mini-breakout", "atari-breakout", "minatar-breakout")
ENV_IDS = {"mini-breakout": "Workshop/MiniBreakout-v0", "atari-breakout": "ALE/Breakout-v5", "minatar-breakout": ENV_ID}


def minatar_settings():
    """MinAtar Breakout mit denselben Einstellungen wie Mini-Breakout (`dqn.preset(atari.MINI_ID)`), aber nach Zeit:
    bis zu 1 Million Schritte, Speicher 100 000, Bewertung nur nach jedem Viertel von `--minutes`. (Die Zeile im
    README stammt aus einer früheren Fassung dieses Skripts mit float32-Speicher und eigenem, gleich gebautem CNN.)"""
    import dqn

    return dict(
        dqn.PRESETS["Workshop/MiniBreakout-v0"], env_id=ENV_ID, total_steps=1_000_000, memory_size=100_000, eval_every=0
    )


def random_mean(env_id, episodes=EVAL_EPISODES, seed=EVAL_SEED):
    import numpy as np

    import dqn

    env = dqn.make_env(env_id)
    rng = np.random.default_rng(seed)
    totals = []
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        total, over = 0.0, False
        while not over:
            _, reward, terminated, truncated, _ = env.step(int(rng.integers(env.action_space.n)))
            total += reward
            over = terminated or truncated
        totals.append(total)
    env.close()
    return float(np.mean(totals))


def one_seed_like_the_lesson(seed):
    """`mini-breakout`: genau der Aufruf aus Lektion 6 (`dqn.preset(atari.MINI_ID)`, `atari.build_small_cnn`, die
    Trainingsschleife `dqn.train`), gierig bewertet alle 5 000 Schritte über 30 Episoden (Seeds ab 10 000 + seed)."""
    import numpy as np

    import atari
    import dqn

    config = dqn.preset(atari.MINI_ID)
    models = dqn.compile_models(atari.build_small_cnn(), config.learning_rate)
    result = dqn.train(config, seed, models=models, progress=False)
    episodes = result.episode_returns
    return dict(
        seed=seed,
        agent="ours",
        steps=result.steps,
        train_seconds=result.train_seconds,
        steps_per_second=result.steps / result.train_seconds,
        evaluations=[list(e) for e in result.evaluations],
        solved_at_step=None,
        marks=[
            dict(minutes=round(sec / 60, 2), steps=step, greedy_mean=mean) for step, mean, sec in result.evaluations
        ],
        episodes=len(episodes),
        curve_every_10_episodes=[float(np.mean(episodes[max(0, i - 20) : i + 1])) for i in range(0, len(episodes), 10)],
        maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


ATARI_REDUCED = dict(
    memory_size=50_000,
    learning_starts=5_000,
    learning_rate=2.5e-4,  # etwas größer als die 1e-4 des langen Laufs: es bleiben nur wenige Tausend Lernschritte
    epsilon_end=0.05,
    epsilon_decay_steps=30_000,
    target_update_every=250,
    checkpoint_every=0,
    eval_every=0,
)


def one_seed_atari(seed, minutes):
    """`atari-breakout`: Atari Breakout mit der Vorverarbeitung und dem Nature-CNN der Lektion, verkürzt
    (ATARI_REDUCED), `minutes` Minuten Training; danach 30 Spiele gierig (ε = 0, volles Spiel, höchstens 5 Minuten
    Spielzeit) auf Startzuständen ab Seed 10 000 + seed."""
    import time

    import numpy as np

    import atari

    started = time.perf_counter()
    deadline = started + minutes * 60

    def stop(step, epsilon, result):
        return time.perf_counter() >= deadline

    config = atari.AtariConfig(total_steps=10_000_000, **ATARI_REDUCED)
    result = atari.train(config, seed=seed, progress=False, on_step=stop)
    seconds, steps = time.perf_counter() - started, result.steps
    scores = atari.play(result.q_model, episodes=EVAL_EPISODES, epsilon=0.0, seed=EVAL_SEED + seed)
    return dict(
        seed=seed,
        agent="ours",
        steps=steps,
        train_seconds=seconds,
        steps_per_second=steps / seconds,
        marks=[dict(minutes=round(seconds / 60, 2), steps=steps, greedy_mean=float(np.mean(scores)))],
        evaluations=[[steps, float(np.mean(scores)), seconds]],
        solved_at_step=None,
        maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def atari_random_mean(episodes=EVAL_EPISODES, seed=EVAL_SEED):
    """Der Zufallsagent auf Atari Breakout, volles Spiel wie in `one_seed_atari` bewertet."""
    import numpy as np

    import atari
    import dqn

    env = dqn.make_env(atari.BREAKOUT_ID)
    rng = np.random.default_rng(seed)
    totals = []
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        total, over, steps = 0.0, False, 0
        while not over and steps < atari.NATURE_EVAL_STEPS:
            _, reward, terminated, truncated, _ = env.step(int(rng.integers(env.action_space.n)))
            total, steps, over = total + reward, steps + 1, terminated or truncated
        totals.append(total)
    env.close()
    return float(np.mean(totals))


def one_seed_minatar(seed, minutes):
    """`minatar-breakout`: trainiert `minutes` Minuten (reine Trainingszeit) in Abschnitten und bewertet nach jedem
    Viertel."""
    import numpy as np

    import atari
    import dqn

    register()

    settings = minatar_settings()
    config = dqn.DQNConfig(**settings)
    train_model, q_model = dqn.compile_models(
        atari.build_small_cnn(3), config.learning_rate, config.huber_delta, config.clipnorm
    )
    result, marks = None, []
    for quarter in range(1, 5):
        deadline = minutes * 60 * quarter / 4
        chunk = 4_000 if result is None else 1_000
        while result is None or result.train_seconds < deadline:
            steps = chunk if result is None else result.steps + chunk
            config = dqn.DQNConfig(**{**settings, "total_steps": steps})
            result = dqn.train(config, seed, models=(train_model, q_model), resume=result, progress=False)
        returns = dqn.evaluate(result.q_model, config.env_id, episodes=EVAL_EPISODES, seed=EVAL_SEED)
        marks.append(
            dict(
                minutes=round(result.train_seconds / 60, 2),
                steps=result.steps,
                greedy_mean=float(np.mean(returns)),
            )
        )
        print(f"seed {seed}: {marks[-1]}", file=sys.stderr, flush=True)
    episodes = result.episode_returns
    curve = [float(np.mean(episodes[max(0, i - 20) : i + 1])) for i in range(0, len(episodes), 10)]
    return dict(
        seed=seed,
        steps=result.steps,
        train_seconds=result.train_seconds,
        steps_per_second=result.steps / result.train_seconds,
        marks=marks,
        episodes=len(episodes),
        curve_every_10_episodes=curve,
        maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", default="mini-breakout", choices=CANDIDATES)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--one-seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.one_seed is not None:
        if args.candidate == "mini-breakout":
            run = one_seed_like_the_lesson(args.one_seed)
        elif args.candidate == "atari-breakout":
            run = one_seed_atari(args.one_seed, args.minutes)
        else:
            run = one_seed_minatar(args.one_seed, args.minutes)
        print(json.dumps(run))
        return
    register()
    runs = []
    out = RESULTS / f"pixel_{args.candidate}.json"
    if args.candidate == "atari-breakout":
        random = atari_random_mean()
    else:
        random = random_mean(ENV_IDS[args.candidate], episodes=1_000)
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        command = [sys.executable, __file__, "--candidate", args.candidate, "--minutes", str(args.minutes)]
        done = subprocess.run([*command, "--one-seed", str(seed)], capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        final = [run["marks"][-1]["greedy_mean"] for run in runs]
        summary = dict(
            random_mean=random,
            criterion="gieriges Mittel (30 Episoden) ≥ 3 × Zufall nach ≤ 10 Minuten, 10 von 10 Seeds",
            seeds_meeting_criterion=sum(f >= 3 * random for f in final),
            seeds=len(runs),
            final_greedy_median=statistics.median(final),
            final_greedy_min=min(final),
            steps_per_second_median=statistics.median(run["steps_per_second"] for run in runs),
            maxrss_mb_max=max(run["maxrss_mb"] for run in runs),
        )
        machine = dict(platform=platform.platform(), cpus=os.cpu_count(), python=platform.python_version())
        RESULTS.mkdir(exist_ok=True)
        data = dict(candidate=args.candidate, minutes=args.minutes, machine=machine, summary=summary, runs=runs)
        out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(json.dumps(summary, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
