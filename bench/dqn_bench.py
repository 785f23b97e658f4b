"""Benchmark für Lektionen 3–5: unser DQN (dqn.train = die Schleife aus Lektion 3, mit dqn.preset, genau wie in den
Lektionen) neben
Stable-Baselines3-DQN mit den abgestimmten Hyperparametern des rl-baselines3-zoo, auf denselben Umgebungen
und Seeds, mit demselben Bewertungsprotokoll (dqn.evaluate_protocol).

    python3 workshop.py bench dqn_bench --env CartPole-v1 --seeds 10
    KERAS_BACKEND=jax python3 workshop.py bench dqn_bench --env CartPole-v1 --agents ours

Jeder Lauf (Agent, Umgebung, Seed) läuft in einem eigenen Prozess, nacheinander, damit sich die Läufe
weder Threads noch Speicher teilen. Ergebnis: bench/results/dqn_<env>_<backend>.json mit den Zahlen je
Seed und einer Zusammenfassung. Gemessen wird die reine Trainingszeit bis zur Bewertung, die das Ziel
erreicht (die Bewertungen selbst zählen nicht, bei keinem der Agenten), dazu die Wanduhrzeit mit allem.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

# rl-baselines3-zoo, hyperparams/dqn.yml (Commit ce95481b041fe5314c1b2f1a53940d169b9253fc)
SB3_ZOO_ACROBOT_LUNARLANDER = dict(
    n_timesteps=100_000,
    learning_rate=6.3e-4,
    batch_size=128,
    buffer_size=50_000,
    learning_starts=0,
    gamma=0.99,
    target_update_interval=250,
    train_freq=4,
    gradient_steps=-1,
    exploration_fraction=0.12,
    exploration_final_eps=0.1,
    policy_kwargs=dict(net_arch=[256, 256]),
)
SB3_ZOO = {
    "CartPole-v1": dict(
        n_timesteps=50_000,
        learning_rate=2.3e-3,
        batch_size=64,
        buffer_size=100_000,
        learning_starts=1000,
        gamma=0.99,
        target_update_interval=10,
        train_freq=256,
        gradient_steps=128,
        exploration_fraction=0.16,
        exploration_final_eps=0.04,
        policy_kwargs=dict(net_arch=[256, 256]),
    ),
    # SB3-zoo stimmt Acrobot und LunarLander mit denselben Werten ab
    "Acrobot-v1": SB3_ZOO_ACROBOT_LUNARLANDER,
    "LunarLander-v3": SB3_ZOO_ACROBOT_LUNARLANDER,
}


def run_ours(env_id, seed):
    import dqn

    config = dqn.preset(env_id)
    start = time.perf_counter()
    result = dqn.train(config, seed=seed, progress=False)
    return dict(
        steps=result.steps,
        solved_at_step=result.solved_at_step,
        train_seconds_to_solve=result.solved_after_seconds,
        train_seconds=result.train_seconds,
        wall_seconds=time.perf_counter() - start,
        evaluations=result.evaluations,
    )


def run_sb3(env_id, seed):
    import numpy as np
    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback

    import dqn

    config = dqn.preset(env_id)  # nur Bewertungsprotokoll und Ziel; die Hyperparameter kommen aus dem Zoo
    zoo = dict(SB3_ZOO[env_id])
    n_timesteps = zoo.pop("n_timesteps")

    class QValues:  # dieselbe Schnittstelle wie unsere Netze, damit dqn.evaluate sie bewerten kann
        def __init__(self, model):
            self.model = model

        def predict_on_batch(self, obs):
            with torch.no_grad():
                return self.model.q_net(torch.as_tensor(np.asarray(obs, np.float32))).numpy()

    class Evaluate(BaseCallback):
        def __init__(self):
            super().__init__()
            self.evaluations, self.eval_seconds = [], 0.0
            self.solved_at_step = self.solved_after_seconds = None

        def _on_step(self):
            step = self.num_timesteps
            if step % config.eval_every:
                return True
            clock = time.perf_counter()
            mean = dqn.evaluate_protocol(QValues(self.model), config, seed)
            self.eval_seconds += time.perf_counter() - clock
            train_seconds = time.perf_counter() - start - self.eval_seconds
            self.evaluations.append((step, mean, train_seconds))
            if mean >= config.target_return:
                self.solved_at_step, self.solved_after_seconds = step, train_seconds
                return False
            return True

    start = time.perf_counter()
    model = DQN("MlpPolicy", dqn.make_env(env_id), seed=seed, device="cpu", verbose=0, **zoo)
    callback = Evaluate()
    model.learn(total_timesteps=n_timesteps, callback=callback)
    wall = time.perf_counter() - start
    return dict(
        steps=model.num_timesteps,
        solved_at_step=callback.solved_at_step,
        train_seconds_to_solve=callback.solved_after_seconds,
        train_seconds=wall - callback.eval_seconds,
        wall_seconds=wall,
        evaluations=callback.evaluations,
        hyperparameters=SB3_ZOO[env_id],
    )


def worker(agent, env_id, seed):
    record = dict(agent=agent, env=env_id, seed=seed)
    record.update(run_ours(env_id, seed) if agent == "ours" else run_sb3(env_id, seed))
    print("RESULT " + json.dumps(record), flush=True)


def summarise(records, target):
    """Mediane über alle Seeds; ein ungelöster Seed zählt als unendlich lang (im JSON: null)."""

    def finite(value):
        return None if value is None or value == float("inf") else round(value, 2)

    times = [r["train_seconds_to_solve"] if r["solved_at_step"] is not None else float("inf") for r in records]
    walls = [r["wall_seconds"] if r["solved_at_step"] is not None else float("inf") for r in records]
    solved = [r for r in records if r["solved_at_step"] is not None]
    return dict(
        seeds=len(records),
        solved=len(solved),
        target_return=target,
        median_train_seconds_to_solve=finite(statistics.median(times)) if records else None,
        median_wall_seconds_to_solve=finite(statistics.median(walls)) if records else None,
        max_train_seconds_to_solve=finite(max(times)) if records else None,
        median_steps_to_solve=statistics.median(r["solved_at_step"] for r in solved) if solved else None,
    )


def main():
    import cli
    import course
    import provenance

    parser = cli.argument_parser(__doc__)
    parser.add_argument("--env", action="append", help="Umgebung (mehrfach möglich); Standard: CartPole-v1")
    parser.add_argument("--seeds", type=int, default=10, help="Seeds 0 … N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--agents", default="ours,sb3", help="ours, sb3 oder beide mit Komma")
    parser.add_argument("--worker", nargs=3, metavar=("AGENT", "ENV", "SEED"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        agent, env_id, seed = options.worker
        return worker(agent, env_id, int(seed))

    import dqn

    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    for env_id in options.env or ["CartPole-v1"]:
        config = dqn.preset(env_id)
        report = dict(
            env=env_id,
            keras_backend=backend,
            machine=provenance.machine_description(),
            python=platform.python_version(),
            versions=provenance.package_versions(),
            our_config=config.__dict__,
            protocol=(
                f"gierig; alle {config.eval_every} Schritte {config.eval_screen_episodes} Episoden, "
                f"bei Mittel ≥ {config.target_return} dann {config.eval_episodes} neue Episoden; "
                f"gelöst = Mittel über {config.eval_episodes} Episoden ≥ {config.target_return}; "
                "Zeit = Trainingszeit ohne Bewertungen"
            ),
            runs=[],
            summary={},
        )
        out = RESULTS / f"dqn_{env_id.split('/')[-1].split('-')[0].lower()}_{backend}.json"
        agents = options.agents.split(",")
        if out.exists():  # Läufe anderer Agenten aus einem früheren Aufruf behalten
            earlier = json.loads(out.read_text(encoding="utf-8"))
            report["runs"] = [r for r in earlier["runs"] if r["agent"] not in agents]
            report["summary"] = {a: v for a, v in earlier["summary"].items() if a not in agents}

        finished = list(report["runs"])
        for agent in agents:
            records = []
            for seed in range(options.first_seed, options.first_seed + options.seeds):
                proc = subprocess.run(
                    [sys.executable, __file__, "--worker", agent, env_id, str(seed)], capture_output=True, text=True
                )
                lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
                if proc.returncode != 0 or not lines:
                    sys.exit(f"Lauf {agent} {env_id} Seed {seed} fehlgeschlagen:\n{proc.stderr[-3000:]}")
                record = json.loads(lines[-1][len("RESULT ") :])
                records.append(record)
                # nach jedem Seed schreiben: ein abgebrochener Benchmark behält die fertigen Läufe
                report["runs"] = finished + records
                report["summary"][agent] = summarise(records, config.target_return)
                course.write_json_atomic(out, report)
                print(
                    f"{agent:5s} {env_id} seed {seed}: gelöst nach {record['solved_at_step']} Schritten, "
                    f"{record['train_seconds_to_solve'] or float('nan'):.1f} s Training "
                    f"({record['wall_seconds']:.1f} s Wanduhr)",
                    flush=True,
                )
            finished += records
        print(json.dumps(report["summary"], indent=1))
        print(f"geschrieben: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
