"""Die Experimente der Lektionen 4 und 5 und ihre kleine Umgebung `Workshop/MaxBias-v0`.

Dieselben Funktionen rechnen in der Lektion (ein Seed, mit den Bausteinen der Lernenden) und in
bench/lesson_experiments.py (10 Seeds); die Lektion zeichnet die gespeicherte Verteilung als Band neben den Lauf.
`dqn` hält, was die Lektionen 3–5 bauen; hier steht nur, was man mit diesen Bausteinen misst:

- Lektion 4: Q-Werte auf festen Daten mit und ohne Target-Netz (`fixed_data_q_trace`), CartPole-Trainings mit und
  ohne Target-Netz (`training_curve`);
- Lektion 5: mit und ohne Erfahrungsspeicher (`training_curve`), versprochen gegen eingelöst auf MaxBias
  (`overestimation_trace`);
- für alle: die Einstellungen (`LESSON_EXPERIMENTS`), die gespeicherten Ergebnisse und der Vergleich damit.
"""

import copy
import json

import numpy as np

import course
import dqn

with course.quiet_tensorflow():
    import keras


# --------------------------------------------------------------------------------------
# Eine kleine Umgebung für Lektion 5: das Maximum lockt (Sutton & Barto, Beispiel 6.7; van Hasselt 2010)
# --------------------------------------------------------------------------------------
MAX_BIAS_ID = "Workshop/MaxBias-v0"
MAX_BIAS_MEAN, MAX_BIAS_STD = -0.1, 2.0  # Belohnung in B: im Mittel ein Verlust, aber stark verrauscht


def _max_bias_env_class():
    import gymnasium as gym

    class MaxBiasEnv(gym.Env):
        """Zwei Zustände. In A beendet Aktion 0 die Episode mit 0 Punkten (sicher); jede andere Aktion führt nach B.

        In B beendet jede Aktion die Episode mit einer Belohnung aus N(−0,1; 2²): im Mittel ein Verlust. Der beste
        Plan ist also Aktion 0 in A (Wert 0), der Weg über B ist γ · (−0,1) wert. Beobachtung: one-hot (2,).
        """

        def __init__(self, n_actions=20):
            self.observation_space = gym.spaces.Box(0.0, 1.0, (2,), np.float32)
            self.action_space = gym.spaces.Discrete(n_actions)
            self.in_b = False

        def reset(self, seed=None, options=None):
            super().reset(seed=seed)
            self.in_b = False
            return np.array([1.0, 0.0], np.float32), {}

        def step(self, action):
            if self.in_b:
                reward = float(self.np_random.normal(MAX_BIAS_MEAN, MAX_BIAS_STD))
                return np.array([0.0, 1.0], np.float32), reward, True, False, {}
            if int(action) == 0:
                return np.array([1.0, 0.0], np.float32), 0.0, True, False, {}
            self.in_b = True
            return np.array([0.0, 1.0], np.float32), 0.0, False, False, {}

    return MaxBiasEnv


def register_max_bias_env():
    """Meldet `Workshop/MaxBias-v0` bei Gymnasium an (einmal pro Prozess; der Import dieses Moduls tut das)."""
    import gymnasium as gym

    if MAX_BIAS_ID not in gym.registry:
        gym.register(MAX_BIAS_ID, entry_point=_max_bias_env_class(), max_episode_steps=2)


register_max_bias_env()


# --------------------------------------------------------------------------------------
# Einstellungen, gespeicherte Ergebnisse und der Vergleich damit
# --------------------------------------------------------------------------------------
EXPERIMENT_RESULTS = course.ROOT / "bench" / "results"

# Die CartPole-Trainings der Experimente lernen jeden 2. Schritt aus 128 Übergängen mit Lernrate 0,001 und ziehen das
# Target-Netz alle 50 Lernschritte nach. Mit diesen Einstellungen sind sie über 10 Seeds gemessen; Lektion 3 selbst
# trainiert schneller (seltener, aus größeren Stapeln, siehe PRESETS), was am Vergleich nichts ändern soll.
EXPERIMENT_CARTPOLE = dict(learning_rate=1e-3, batch_size=128, train_every=2, target_update_every=50)

# Die Einstellungen der Experimente; die Lektionen und bench/lesson_experiments.py lesen sie von hier. Die Namen der
# Varianten sind Schlüssel, die Code vergleicht (englisch); was Lernende lesen, steht in VARIANT_LABELS.
VARIANT_LABELS = {"none": "ohne", "hard": "hart", "soft": "weich", "without": "ohne", "with": "mit"}
LESSON_EXPERIMENTS = {
    "target_fixed_data": dict(
        random_steps=5_000,
        updates=3_000,
        soft_tau=0.02,
        bound=1 / (1 - 0.98),
        metric="mittleres Q auf festen Zuständen nach dem letzten Lernschritt",
    ),
    "target_training": dict(
        steps=16_000,
        metric="beste gierige Bewertung (10 Episoden) im Training",
        variants={
            "none": dict(EXPERIMENT_CARTPOLE, target_update_every=0),
            "hard": dict(EXPERIMENT_CARTPOLE, target_update_every=50, tau=1.0),
            "soft": dict(EXPERIMENT_CARTPOLE, target_update_every=1, tau=0.02),
        },
    ),
    # ohne Speicher: jeder Übergang genau einmal, sofort (wie Q-Learning mit Tabelle in Lektion 2)
    "replay": dict(
        env_id="CartPole-v1",
        steps=20_000,
        eval_every=1_000,
        metric="mittlere gierige Bewertung (10 Episoden) über das ganze Training",
        variants={
            "without": dict(EXPERIMENT_CARTPOLE, memory_size=1, batch_size=1, train_every=1),
            "with": EXPERIMENT_CARTPOLE,
        },
    ),
    "overestimation": dict(
        every=250, metric="Überschätzung im Startzustand: versprochen − eingelöst, gemittelt über das Training"
    ),
}


def experiment_effect(name, runs):
    """Zeigt sich der Effekt, den die Lektion behauptet? Gibt Zählung, Kennzahlen je Variante und einen Satz zurück."""
    metric = lambda variant: [run["metric"][variant] for run in runs]  # noqa: E731
    if name == "target_fixed_data":
        bound = LESSON_EXPERIMENTS[name]["bound"]
        shows = [m["none"] > bound > max(m["hard"], m["soft"]) for m in (run["metric"] for run in runs)]
        claim = (
            f"ohne Target-Netz über der Obergrenze {course.german_number(bound)}, "
            "mit hartem und weichem Nachziehen darunter"
        )
    elif name == "target_training":
        shows = [min(m["hard"], m["soft"]) >= m["none"] + 100 for m in (run["metric"] for run in runs)]
        claim = "mit Target-Netz (hart und weich) mindestens 100 Punkte besser als ohne"
    elif name == "replay":
        shows = [m["with"] > m["without"] for m in (run["metric"] for run in runs)]
        claim = "mit Erfahrungsspeicher besser als ohne"
    elif name == "overestimation":
        shows = [m["DQN"] > m["Double DQN"] for m in (run["metric"] for run in runs)]
        claim = "DQN überschätzt mehr als Double DQN"
    else:
        raise course.InputError(f"Unbekanntes Experiment »{name}«.")
    variants = list(runs[0]["metric"])
    summary = {
        variant: dict(
            median=float(np.median(metric(variant))),
            min=float(np.min(metric(variant))),
            max=float(np.max(metric(variant))),
        )
        for variant in variants
    }
    return dict(
        shows=int(sum(shows)), seeds=len(runs), summary=summary, text=f"{claim}: bei {sum(shows)} von {len(runs)} Seeds"
    )


def experiment_results(name):
    """Die gespeicherten 10-Seed-Ergebnisse eines Experiments (bench/lesson_experiments.py), für „dein Lauf gegen
    10 Seeds gemessen“ in den Lektionen."""
    path = EXPERIMENT_RESULTS / f"experiment_{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _trace_values(trace):
    """Messwerte einer Messreihe: der zweite Eintrag, bei (Schritt, versprochen, eingelöst) die Differenz."""
    trace = np.asarray(trace, dtype=float)
    return trace[:, 0], (trace[:, 1] - trace[:, 2] if trace.shape[1] == 3 else trace[:, 1])


def stored_band(name, variant):
    """(Schritte, Minimum, Median, Maximum) der gespeicherten Messreihen einer Variante über alle Seeds."""
    runs = experiment_results(name)["runs"]
    steps = _trace_values(runs[0]["traces"][variant])[0]
    values = np.array([_trace_values(run["traces"][variant])[1] for run in runs])
    return steps, values.min(axis=0), np.median(values, axis=0), values.max(axis=0)


def compare_with_stored(name, mine):
    """Deine Kennzahlen {Variante: Wert} neben Median und Spanne der gespeicherten Seeds, als deutscher Text."""
    data = experiment_results(name)
    effect = data["effect"]
    lines = [f"Kennzahl: {data['metric']}"]
    for variant, value in mine.items():
        stored = effect["summary"][variant]
        lines.append(
            f"  {VARIANT_LABELS.get(variant, variant):12s} dein Lauf {course.german_number(value, 2)}   "
            f"{effect['seeds']} Seeds gemessen: "
            f"Median {course.german_number(stored['median'], 2)} "
            f"(von {course.german_number(stored['min'], 2)} bis {course.german_number(stored['max'], 2)})"
        )
    lines.append(f"Gemessen ({data['date']}, {data['machine']}): {effect['text']}.")
    return "\n".join(lines)


def collect_random(env_id, steps, seed, capacity=None):
    """Sammelt `steps` Übergänge mit einem Zufallsagenten. Gibt (Speicher, Episode je Übergang (steps,)) zurück."""
    env = dqn.make_env(env_id)
    memory = dqn.ReplayMemory(capacity or steps, env.observation_space.shape, np.float32, seed=seed)
    episode_of = np.zeros(steps, dtype=int)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    episode = 0
    for i in range(steps):
        action = int(rng.integers(env.action_space.n))
        next_obs, reward, terminated, truncated, _ = env.step(action)
        memory.add(obs, action, reward, next_obs, terminated)
        episode_of[i] = episode
        obs = next_obs
        if terminated or truncated:
            obs, _ = env.reset()
            episode += 1
    env.close()
    return memory, episode_of


def fixed_data_q_trace(
    variant,
    memory,
    probe_obs,
    seed=0,
    updates=3_000,
    measure_every=50,
    hard_every=100,
    soft_tau=0.02,
    gamma=0.98,
    n_actions=2,
    update_target=None,
):
    """Lektion 4, Experiment 1: ein frisches Netz lernt `updates` Schritte auf den festen Daten in `memory`.

    `variant`: "none" (ohne Target-Netz: das Ziel kommt vom lernenden Netz selbst), "hard" (harte Kopie alle
    `hard_every` Lernschritte) oder "soft" (weich, τ = `soft_tau` nach jedem Lernschritt). Misst alle
    `measure_every` Lernschritte den mittleren Q-Wert auf `probe_obs`. `update_target`: die Funktion zum Nachziehen
    (in der Lektion deine). Gibt [(Lernschritt, mittleres Q), ...] zurück.
    """
    if variant not in ("none", "hard", "soft"):
        raise course.InputError(
            f"Unbekannte Variante »{variant}«; es gibt »none« (ohne Target-Netz), »hard« (hart) und »soft« (weich)."
        )
    update_target = update_target or dqn.update_target
    keras.utils.set_random_seed(seed)
    train_model, q_model = dqn.compile_models(dqn.build_q_network(memory.obs_shape, n_actions), 1e-3)
    target_model = q_model if variant == "none" else dqn.fast_copy(q_model)
    step_config = dqn.DQNConfig(batch_size=128, gamma=gamma)  # Stapelgröße und γ des Lernschritts
    trace = []
    for update in range(1, updates + 1):
        dqn.learning_step(train_model, target_model, memory, step_config, q_model)
        if variant == "hard" and update % hard_every == 0:
            update_target(target_model, q_model, tau=1.0)
        elif variant == "soft":
            update_target(target_model, q_model, tau=soft_tau)
        if update % measure_every == 0:
            trace.append((update, float(np.mean(q_model.predict_on_batch(probe_obs)))))
    return trace


def training_curve(env_id, seed, total_steps, train=None, eval_every=1_000, **changes):
    """Ein Training über `total_steps` Schritte, das bei „gelöst“ nicht aufhört; alle `eval_every` Schritte
    10 gierige Episoden. Gibt das TrainResult zurück (`evaluations`: [(Schritt, Mittel, Zeit), ...])."""
    train = train or dqn.train
    config = dqn.preset(
        env_id,
        total_steps=total_steps,
        eval_every=eval_every,
        eval_episodes=10,
        eval_screen_episodes=10,
        stop_when_solved=False,
        **changes,
    )
    return train(config, seed=seed, progress=False)


def overestimation_trace(double_dqn, seed, train=None, every=250, **changes):
    """Lektion 5, versprochen gegen eingelöst: trainiert auf `Workshop/MaxBias-v0` in Stücken von `every` Schritten.

    Misst nach jedem Stück im Startzustand A: versprochen = max_a Q(A, a), eingelöst = der wahre Wert der gierigen
    Wahl (0 für die sichere Aktion 0, γ · (−0,1) für den Weg über B). `train`: die Trainingsfunktion (in der
    Lektion die mit deinem Lernschritt). Gibt [(Schritt, versprochen, eingelöst), ...] zurück.
    """
    train = train or dqn.train
    register_max_bias_env()
    config = dqn.preset(MAX_BIAS_ID, double_dqn=double_dqn, **changes)
    start = np.array([[1.0, 0.0]], np.float32)
    result, trace = None, []
    for end in range(every, config.total_steps + 1, every):
        chunk = copy.copy(config)  # ein Stück des Trainings; die ersten sammeln nur (end ≤ learning_starts)
        chunk.total_steps = end
        result = train(chunk, seed=seed, progress=False, resume=result)
        if end > config.learning_starts:  # vorher hat das Netz noch nicht gelernt
            q_values = np.asarray(result.q_model.predict_on_batch(start))[0]
            achieved = 0.0 if int(np.argmax(q_values)) == 0 else config.gamma * MAX_BIAS_MEAN
            trace.append((end, float(q_values.max()), achieved))
    return trace


def overestimation(trace):
    """Mittlere Überschätzung einer Messreihe von `overestimation_trace`: versprochen − eingelöst."""
    return float(np.mean([promised - achieved for _, promised, achieved in trace]))
