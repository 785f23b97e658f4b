"""Die fertigen DQN-Bausteine an einer Stelle: Lektionen 3–5, Tests und Benchmarks rufen genau diese Funktionen.

Lektion 3 baut jedes Stück als Übung selbst und vergleicht es dann mit der Fassung hier.
Backend-neutrales Keras 3 (läuft mit KERAS_BACKEND=tensorflow und =jax): im Schritt-Takt nur
`predict_on_batch` und `train_on_batch`, nie `predict`/`fit` (je ~70–90 ms Overhead pro Aufruf).
"""
import logging
import os
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

import kurs  # noqa: F401  (macht `import Ringbuffer` möglich)
import Ringbuffer


def limit_blas_threads():
    """NumPy rechnet unsere kleinen Matrizen mit einem Thread am schnellsten.

    Gemessen auf 2 Kernen, Stapel 128 durch ein 128×128-Netz: 0,11 ms mit einem BLAS-Thread,
    0,31 ms mit mehreren, 2,3 ms, wenn nebenher TensorFlow rechnet (die Threads stören sich).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # ohne threadpoolctl nur langsamer, nicht falsch
        return
    threadpool_limits(1, user_api="blas")


limit_blas_threads()
# TensorFlow warnt bei jedem neuen Netz und jeder neuen Stapelgröße vor „retracing“; für uns harmlos,
# für Lernende verwirrend. Fehler meldet es weiterhin.
logging.getLogger("tensorflow").setLevel(logging.ERROR)


# --------------------------------------------------------------------------------------
# Hyperparameter
# --------------------------------------------------------------------------------------
@dataclass
class DQNConfig:
    """Alle Hyperparameter eines DQN-Trainings, jeder mit seiner Bedeutung."""

    env_id: str = "CartPole-v1"        # Name der Gymnasium-Umgebung
    total_steps: int = 50_000          # höchstens so viele Umgebungsschritte insgesamt
    hidden_units: tuple = (64, 64)     # Neuronen je verdeckter Schicht des Q-Netzes
    learning_rate: float = 1e-3        # Schrittweite des Adam-Optimierers
    gamma: float = 0.98                # Diskontierungsfaktor
    batch_size: int = 128              # Übergänge pro Lernschritt
    memory_size: int = 50_000          # Kapazität des Erfahrungsspeichers
    learning_starts: int = 1_000       # erst so viele Schritte zufällig sammeln, dann lernen
    train_every: int = 2               # alle wie viele Umgebungsschritte ein Lernschritt
    epsilon_start: float = 1.0         # ε am Anfang: nur Zufall
    epsilon_end: float = 0.02          # ε nach dem Abklingen
    epsilon_decay_steps: int = 3_000   # über so viele Schritte sinkt ε linear (ab learning_starts)
    target_update_every: int = 50      # Target-Netz alle N Lernschritte nachziehen (0: kein Target-Netz)
    tau: float = 1.0                   # Anteil pro Kopie: 1.0 hart, z. B. 0.005 weich (Polyak)
    double_dqn: bool = False           # Double-DQN-Ziel (Lektion 5) statt max über das Target-Netz
    huber_delta: float = 1.0           # Huber-Verlust: quadratisch bis delta, danach linear (Fehler-Clipping)
    clipnorm: float = 10.0             # Gradienten-Norm höchstens so groß (0: aus)
    eval_every: int = 500              # alle N Schritte gierig bewerten (0: nie)
    eval_episodes: int = 100           # Episoden pro Bewertung
    eval_screen_episodes: int = 10     # erst so viele; nur wenn deren Mittel das Ziel erreicht, alle eval_episodes
    target_return: float = 475.0       # ab diesem Mittelwert gilt die Umgebung als gelöst
    stop_when_solved: bool = True      # Training beenden, sobald die Bewertung das Ziel erreicht

    def __post_init__(self):
        problems = []
        for name in ("total_steps", "batch_size", "memory_size", "train_every"):
            if int(getattr(self, name)) < 1:
                problems.append(f"`{name}` muss mindestens 1 sein, ist {getattr(self, name)}.")
        if not 0.0 <= self.gamma <= 1.0:
            problems.append(f"`gamma` muss zwischen 0 und 1 liegen, ist {self.gamma}.")
        if not self.learning_rate > 0:
            problems.append(f"`learning_rate` muss positiv sein, ist {self.learning_rate}.")
        for name in ("epsilon_start", "epsilon_end"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"`{name}` muss zwischen 0 und 1 liegen, ist {getattr(self, name)}.")
        if not 0.0 < self.tau <= 1.0:
            problems.append(f"`tau` muss in (0, 1] liegen, ist {self.tau}.")
        if self.learning_starts < self.batch_size:
            problems.append(
                f"`learning_starts` ({self.learning_starts}) muss mindestens `batch_size` ({self.batch_size}) sein: "
                "sonst zieht der erste Lernschritt mehr Übergänge, als im Speicher liegen."
            )
        if problems:
            raise ValueError("Ungültige Hyperparameter:\n- " + "\n- ".join(problems))


# Abgestimmte Einstellungen je Umgebung (bench/dqn_bench.py misst sie); alles Übrige wie in DQNConfig.
PRESETS = {
    # (128, 128) statt (64, 64): mit 64 Neuronen brach einer von 10 Seeds nach gutem Start ein und erholte sich nicht
    "CartPole-v1": dict(total_steps=50_000, hidden_units=(128, 128), target_return=475.0),
    "Acrobot-v1": dict(total_steps=50_000, target_return=-100.0),
    # Landungen dauern Hunderte Schritte: größeres Netz, γ = 0,99, länger erkunden, Double DQN (Lektion 5)
    "LunarLander-v3": dict(total_steps=300_000, hidden_units=(256, 256), learning_rate=5e-4, gamma=0.99,
                           memory_size=100_000, learning_starts=5_000, train_every=4, epsilon_end=0.05,
                           epsilon_decay_steps=50_000, target_update_every=100, double_dqn=True,
                           eval_every=10_000, target_return=200.0),
}


def preset(env_id, **changes):
    """Die abgestimmte Konfiguration für `env_id`, mit einzelnen Änderungen: preset("CartPole-v1", gamma=0.95)."""
    if env_id not in PRESETS:
        raise ValueError(f"Für »{env_id}« gibt es keine abgestimmten Einstellungen; bekannt sind: {', '.join(PRESETS)}. "
                         "Du kannst trotzdem trainieren: DQNConfig(env_id=..., ...) mit eigenen Werten.")
    unknown = sorted(set(changes) - {f.name for f in fields(DQNConfig)})
    if unknown:
        raise ValueError(f"Unbekannte Hyperparameter: {', '.join(unknown)}. Erlaubt sind: "
                         f"{', '.join(f.name for f in fields(DQNConfig))}.")
    return DQNConfig(**{"env_id": env_id, **PRESETS[env_id], **changes})


def describe(config):
    """Tabelle aller Hyperparameter mit Wert und Bedeutung (die Kommentare aus DQNConfig)."""
    import inspect
    import re

    meaning = dict(re.findall(r"^\s+(\w+): [^#\n]*#\s*(.+)$", inspect.getsource(DQNConfig), flags=re.M))
    width = max(len(f.name) for f in fields(config))
    lines = [f"{f.name:<{width}}  {getattr(config, f.name)!s:<14}  {meaning.get(f.name, '')}" for f in fields(config)]
    return "\n".join(lines)


def make_env(env_id, **kwargs):
    """gym.make mit deutscher Meldung bei unbekanntem Namen."""
    import gymnasium as gym

    try:
        return gym.make(env_id, **kwargs)
    except gym.error.Error as error:
        known = ", ".join(["CartPole-v1", "Acrobot-v1", "LunarLander-v3", "ALE/Breakout-v5"])
        raise ValueError(
            f"Die Umgebung »{env_id}« kennt Gymnasium nicht ({error}). "
            f"Prüfe die Schreibweise samt Version; im Workshop benutzen wir: {known}."
        ) from None


# --------------------------------------------------------------------------------------
# Das Q-Netz mit Aktionsmaske
# --------------------------------------------------------------------------------------
def build_q_model(obs_shape, n_actions, hidden_units=(64, 64), learning_rate=1e-3, huber_delta=1.0, clipnorm=10.0):
    """Q-Netz für Vektor-Beobachtungen.

    Gibt (train_model, q_model) zurück, die sich alle Gewichte teilen:
    - q_model: obs (B, *obs_shape) -> Q-Werte (B, n_actions), zum Handeln und für Ziele;
    - train_model: [obs, action_mask (B, n_actions)] -> Q * Maske, zum Trainieren. Die One-Hot-Maske
      setzt alle nicht gewählten Aktionen auf 0, dort ist dann auch der Fehler 0.
    """
    import keras

    n_actions = int(n_actions)
    obs = keras.Input(tuple(obs_shape), name="obs")
    mask = keras.Input((n_actions,), name="action_mask")
    x = keras.layers.Flatten()(obs) if len(obs_shape) > 1 else obs
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, activation="relu", name=f"hidden_{i}")(x)
    q_values = keras.layers.Dense(n_actions, name="q_values")(x)
    masked = keras.layers.Multiply(name="masked_q")([q_values, mask])
    train_model = keras.Model([obs, mask], masked, name="dqn")
    compile_train_model(train_model, learning_rate, huber_delta, clipnorm)
    return train_model, q_model_of(train_model)


def compile_train_model(train_model, learning_rate, huber_delta=1.0, clipnorm=10.0, optimizer=None):
    """Adam und Huber-Verlust; `optimizer`: einen vorhandenen (geladenen) Optimierer samt Zustand weiterverwenden."""
    import keras

    optimizer = optimizer or keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm or None)
    # Huber-Verlust = Fehler-Clipping des Nature-Papers; die Maske macht den Fehler nicht gewählter Aktionen 0
    train_model.compile(optimizer=optimizer, loss=keras.losses.Huber(delta=huber_delta, reduction="sum_over_batch_size"))


def q_model_of(train_model):
    """Das Teilmodell obs -> Q-Werte eines Trainingsmodells (teilt die Gewichte)."""
    import keras

    return keras.Model(train_model.inputs[0], train_model.get_layer("q_values").output, name="q")


def clone_weights(q_model):
    """Eine zweite Kopie des Netzes (Target-Netz) mit denselben Gewichten."""
    import keras

    target = keras.models.clone_model(q_model)
    target.set_weights(q_model.get_weights())
    return target


class NumpyQ:
    """Eine NumPy-Kopie eines Dense-Q-Netzes: dieselbe Rechnung (x @ W + b, ReLU), ohne Keras.

    Warum? Ein Keras-Aufruf kostet ~0,5 ms Verwaltungsaufwand, egal wie klein die Eingabe ist;
    die paar Matrixmultiplikationen eines kleinen Netzes in NumPy dauern ~0,01 ms. Sie hat
    dieselbe Schnittstelle wie ein Keras-Modell (`predict_on_batch`, `get_weights`, `set_weights`),
    also kann sie überall stehen, wo Handeln und Ziele ein Netz brauchen: als Kopie zum Handeln
    und als Target-Netz (eine eingefrorene Kopie der Gewichte ist genau das).
    """

    def __init__(self, weights, activations):
        self.weights = [np.array(w, dtype=np.float32) for w in weights]
        self.activations = list(activations)

    @classmethod
    def supports(cls, model):
        """True, wenn das Modell nur aus Dense-Schichten (relu/linear) und Flatten besteht."""
        import keras

        for layer in model.layers:
            if isinstance(layer, keras.layers.Dense):
                if layer.activation.__name__ not in ("relu", "linear"):
                    return False
            elif not isinstance(layer, (keras.layers.InputLayer, keras.layers.Flatten)):
                return False
        return True

    @classmethod
    def from_model(cls, model):
        import keras

        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        return cls(model.get_weights(), [layer.activation.__name__ for layer in dense])

    def predict_on_batch(self, x):
        x = np.asarray(x, np.float32)
        x = x.reshape(len(x), -1)
        for i, activation in enumerate(self.activations):
            x = x @ self.weights[2 * i] + self.weights[2 * i + 1]
            if activation == "relu":
                x = np.maximum(x, 0.0)
        return x

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w, dtype=np.float32) for w in weights]


def fast_copy(q_model):
    """Schnelle Kopie zum Handeln und als Target-Netz: NumPy für Dense-Netze, sonst ein Keras-Klon."""
    return NumpyQ.from_model(q_model) if NumpyQ.supports(q_model) else clone_weights(q_model)


def update_target(target_model, online_model, tau=1.0):
    """Target-Netz nachziehen: tau=1 kopiert hart, tau<1 mischt weich (Polyak)."""
    if tau >= 1.0:
        target_model.set_weights(online_model.get_weights())
    else:
        target_model.set_weights([tau * w + (1.0 - tau) * t
                                  for w, t in zip(online_model.get_weights(), target_model.get_weights())])


# --------------------------------------------------------------------------------------
# Die Bausteine aus Lektion 3 (und das Double-DQN-Ziel aus Lektion 5)
# --------------------------------------------------------------------------------------
def _bootstrap(rewards, next_values, terminated, gamma):
    """r + γ · V(s'), ohne Zukunft bei terminated (float32)."""
    not_terminal = 1.0 - np.asarray(terminated, dtype=np.float32)
    return (np.asarray(rewards, np.float32) + gamma * not_terminal * next_values).astype(np.float32)


def bellman_target(rewards, next_q_values, terminated, gamma):
    """r + γ · max_a' Q(s', a'), ohne Zukunft bei terminated. (B,), (B, A), (B,) -> (B,) float32."""
    return _bootstrap(rewards, np.max(next_q_values, axis=1), terminated, gamma)


def double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma):
    """Double DQN: das Online-Netz wählt a' = argmax, das Target-Netz bewertet Q_target(s', a')."""
    best = np.argmax(next_q_online, axis=1)
    return _bootstrap(rewards, next_q_target[np.arange(len(best)), best], terminated, gamma)


def linear_epsilon(step, start_step, decay_steps, epsilon_start=1.0, epsilon_end=0.05):
    """ε fällt linear von epsilon_start (bei start_step) auf epsilon_end (nach decay_steps weiteren Schritten)."""
    if decay_steps <= 0:
        return epsilon_end if step >= start_step else epsilon_start
    fraction = np.clip((step - start_step) / decay_steps, 0.0, 1.0)
    return float(epsilon_start + (epsilon_end - epsilon_start) * fraction)


def greedy_action(q_model, obs):
    """Beste Aktion laut Netz für eine einzelne Beobachtung."""
    q_values = q_model.predict_on_batch(np.asarray(obs, np.float32)[None])
    return int(np.argmax(q_values[0]))


def epsilon_greedy_action(q_model, obs, epsilon, n_actions, rng):
    """Mit Wahrscheinlichkeit ε zufällig, sonst gierig."""
    if rng.random() < epsilon:
        return int(rng.integers(n_actions))
    return greedy_action(q_model, obs)


def one_hot(actions, n_actions):
    return np.eye(n_actions, dtype=np.float32)[np.asarray(actions)]


def q_iteration(train_model, online_model, target_model, replay_memory, batch_size, gamma, n_actions, double_dqn=False):
    """Ein Lernschritt: Stapel ziehen, Bellman-Ziel berechnen, Netz einen Schritt dorthin ziehen. Gibt den Verlust zurück.

    `online_model` (das Netz, das lernt, oder seine aktuelle Kopie) braucht nur das Double-DQN-Ziel.
    """
    obs, actions, rewards, next_obs, terminated = replay_memory.sample(batch_size)
    next_q_target = target_model.predict_on_batch(next_obs)
    if double_dqn:
        targets = double_dqn_target(rewards, online_model.predict_on_batch(next_obs), next_q_target, terminated, gamma)
    else:
        targets = bellman_target(rewards, next_q_target, terminated, gamma)
    mask = one_hot(actions, n_actions)
    loss = train_model.train_on_batch([obs, mask], mask * targets[:, None])
    return float(np.asarray(loss).ravel()[0])


# --------------------------------------------------------------------------------------
# Bewerten
# --------------------------------------------------------------------------------------
def _play_parallel(q_model, env_id, n, seed, gamma=1.0, epsilon=0.0, rng=None):
    """Spielt n Episoden gleichzeitig (eine Netz-Abfrage pro Schritt für alle), gierig oder ε-gierig.

    Gibt (Startbeobachtungen (n, *obs), Erträge Σ γ^t r_t (n,)) zurück; gamma=1 ist der gewöhnliche Ertrag.
    """
    import gymnasium as gym

    envs = gym.vector.SyncVectorEnv([lambda: make_env(env_id) for _ in range(n)],
                                    autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    obs, _ = envs.reset(seed=seed)
    start_obs = obs.astype(np.float32)
    totals = np.zeros(n)
    discount = 1.0
    running = np.ones(n, dtype=bool)
    while running.any():
        actions = np.argmax(q_model.predict_on_batch(obs.astype(np.float32)), axis=1)
        if epsilon > 0:
            explore = rng.random(n) < epsilon
            actions[explore] = rng.integers(envs.single_action_space.n, size=int(explore.sum()))
        obs, rewards, terminated, truncated, _ = envs.step(actions)
        totals += discount * rewards * running
        discount *= gamma
        running &= ~(terminated | truncated)
    envs.close()
    return start_obs, totals


def evaluate(q_model, env_id, episodes=100, seed=10_000, max_parallel=100, epsilon=0.0):
    """Gierige Bewertung: `episodes` Episoden parallel (eine Netz-Abfrage pro Schritt für alle). Gibt die Erträge zurück."""
    returns = []
    rng = np.random.default_rng(seed)
    while len(returns) < episodes:
        n = min(max_parallel, episodes - len(returns))
        _, totals = _play_parallel(q_model, env_id, n, seed + len(returns), epsilon=epsilon, rng=rng)
        returns.extend(totals.tolist())
    return np.array(returns)


def value_estimates(q_model, env_id, gamma, episodes=10, seed=30_000):
    """Was das Netz für den Startzustand verspricht gegen das, was es dort wirklich einspielt.

    Gibt (vorhergesagt, tatsächlich) zurück, je gemittelt über `episodes` gierige Episoden:
    max_a Q(s0, a) und den diskontierten Ertrag Σ γ^t r_t ab demselben Startzustand s0.
    """
    start_obs, discounted = _play_parallel(q_model, env_id, episodes, seed, gamma=gamma)
    predicted = np.max(q_model.predict_on_batch(start_obs), axis=1)
    return float(predicted.mean()), float(discounted.mean())


def evaluate_protocol(q_model, config, seed=0):
    """Die Bewertung während des Trainings (auch für Stable-Baselines3 im Benchmark): Mittelwert gieriger Episoden.

    Erst `eval_screen_episodes` Episoden; nur wenn deren Mittel das Ziel erreicht, zählen
    `eval_episodes` neue Episoden (andere Startzustände). So kostet eine Bewertung meist wenig,
    und „gelöst“ heißt immer: Mittel über `eval_episodes` Episoden ≥ `target_return`.
    """
    mean = float(np.mean(evaluate(q_model, config.env_id, config.eval_screen_episodes, seed=10_000 + seed)))
    if mean >= config.target_return and config.eval_episodes > config.eval_screen_episodes:
        mean = float(np.mean(evaluate(q_model, config.env_id, config.eval_episodes, seed=20_000 + seed)))
    return mean


# --------------------------------------------------------------------------------------
# Speichern und Laden
# --------------------------------------------------------------------------------------
def save_model(train_model, path):
    """Speichert atomar: erst in eine temporäre Datei, dann umbenennen (nie eine halbe Datei)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    train_model.save(tmp)
    os.replace(tmp, path)


def load_model(path):
    """Lädt ein gespeichertes DQN-Modell; gibt (train_model, q_model) zurück, mit deutschen Fehlermeldungen."""
    import keras

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Das Modell {path} gibt es nicht. Trainiere zuerst (Trainingszelle ausführen) "
            "oder prüfe den Pfad; die mitgelieferten Modelle liegen in models/."
        )
    try:
        train_model = keras.models.load_model(path, compile=False)
    except Exception as error:
        raise ValueError(
            f"Das Modell {path} lässt sich nicht laden ({type(error).__name__}: {error}). "
            "Die Datei ist vermutlich beschädigt oder unvollständig: lösche sie und trainiere neu."
        ) from None
    compile_train_model(train_model, 1e-3)
    return train_model, q_model_of(train_model)


# --------------------------------------------------------------------------------------
# Die Trainingsschleife
# --------------------------------------------------------------------------------------
@dataclass
class TrainResult:
    """Was `train` zurückgibt."""

    train_model: object
    q_model: object
    episode_returns: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)  # (Schritt, Mittelwert, Trainingssekunden)
    steps: int = 0
    train_seconds: float = 0.0  # reine Trainingszeit, ohne Bewertungen
    solved_at_step: int = None
    solved_after_seconds: float = None
    interrupted: bool = False
    # Was ein unterbrochenes Training zum Weitermachen braucht (train(..., resume=result))
    target_model: object = None
    replay_memory: object = None
    updates: int = 0
    rng: object = None
    config: object = None

    def summary(self):
        best = max((m for _, m, _ in self.evaluations), default=float("nan"))
        text = f"{self.steps} Schritte in {self.train_seconds:.1f} s Trainingszeit, beste Bewertung {best:.1f}"
        if self.solved_at_step is not None:
            text += f"; gelöst nach {self.solved_at_step} Schritten ({self.solved_after_seconds:.1f} s)"
        if self.interrupted:
            text += " (unterbrochen)"
        return text


def report_episode(value, step, epsilon, bar, live_plot=None, logger=None, name="ertrag"):
    """Nach jeder Episode: Live-Kurve, TensorBoard (`name` und ε) und Fortschrittsbalken (auch für atari.train)."""
    if live_plot is not None:
        live_plot.add(value)
    if logger is not None:
        logger.log_scalar(name, value, step)
        logger.log_scalar("epsilon", epsilon, step)
    bar.set_postfix({name: f"{value:.0f}", "epsilon": f"{epsilon:.2f}"}, refresh=False)


def close_outputs(bar, env, live_plot=None, logger=None):
    """Am Ende eines Trainings (auch nach Abbruch): Balken und Umgebung schließen, Kurve fertig zeichnen, Log schreiben."""
    bar.close()
    env.close()
    if live_plot is not None:
        live_plot.finalise()
    if logger is not None:
        logger.flush()


def train(config, seed=0, live_plot=None, logger=None, progress=True, models=None, resume=None):
    """Trainiert einen DQN-Agenten nach `config`. Die Schleife: handeln → Schritt → speichern → ziehen → Ziel → lernen → Target nachziehen.

    `models`: (train_model, q_model) eines eigenen oder geladenen Netzes; sonst ein neues Netz.
    Ein Abbruch mit Strg+C / ■ „Kernel unterbrechen“ beendet das Training sauber; `train(config,
    resume=result)` macht danach genau dort weiter (Netz, Target-Netz, Erfahrungsspeicher, ε, Schritt).
    """
    import keras
    from tqdm.auto import tqdm

    env = make_env(config.env_id)
    n_actions = int(env.action_space.n)
    obs_shape = env.observation_space.shape
    if resume is not None:
        result = resume
        result.interrupted = False
        train_model, q_model = result.train_model, result.q_model
        target_model, replay_memory, rng = result.target_model, result.replay_memory, result.rng
    else:
        keras.utils.set_random_seed(seed)
        if models is None:
            models = build_q_model(obs_shape, n_actions, config.hidden_units, config.learning_rate,
                                   config.huber_delta, config.clipnorm)
        train_model, q_model = models
        # Target-Netz: eine schnelle Kopie (NumPy bei Dense-Netzen); ohne Target-Netz das Netz selbst
        target_model = fast_copy(q_model) if config.target_update_every else None
        replay_memory = Ringbuffer.ReplayMemory(config.memory_size, obs_shape, np.float32, seed=seed)
        rng = np.random.default_rng(seed)
        result = TrainResult(train_model, q_model, target_model=target_model, replay_memory=replay_memory, rng=rng)
    result.config = config
    # Zum Handeln eine schnelle NumPy-Kopie (nach jedem Lernschritt nachgezogen), bei großen Netzen das Netz selbst
    actor = NumpyQ.from_model(q_model) if NumpyQ.supports(q_model) else q_model
    if target_model is None:
        target_model = actor

    obs, _ = env.reset(seed=seed + result.steps)
    episode_return, updates, train_clock = 0.0, result.updates, time.perf_counter()
    bar = tqdm(total=config.total_steps, initial=result.steps, unit="Schritt", disable=not progress, mininterval=0.5)
    try:
        for step in range(result.steps + 1, config.total_steps + 1):
            # 1. handeln (ε-greedy)
            epsilon = linear_epsilon(step, config.learning_starts, config.epsilon_decay_steps,
                                     config.epsilon_start, config.epsilon_end)
            action = epsilon_greedy_action(actor, obs, epsilon, n_actions, rng) if step > config.learning_starts \
                else int(rng.integers(n_actions))
            # 2. Schritt in der Umgebung
            next_obs, reward, terminated, truncated, _ = env.step(action)
            # 3. speichern (nur `terminated` beendet die Zukunft, `truncated` nicht)
            replay_memory.add(obs, action, reward, next_obs, terminated)
            obs = next_obs
            episode_return += reward
            if terminated or truncated:
                result.episode_returns.append(episode_return)
                report_episode(episode_return, step, epsilon, bar, live_plot, logger)
                obs, _ = env.reset()
                episode_return = 0.0
            # 4.–6. ziehen, Ziel berechnen, lernen
            if step > config.learning_starts and step % config.train_every == 0:
                loss = q_iteration(train_model, actor, target_model, replay_memory, config.batch_size,
                                   config.gamma, n_actions, config.double_dqn)
                updates += 1
                result.updates = updates
                if actor is not q_model:
                    actor.set_weights(q_model.get_weights())
                if logger is not None and updates % 100 == 0:
                    logger.log_scalar("verlust", loss, step)
                # 7. Target-Netz nachziehen
                if config.target_update_every and updates % config.target_update_every == 0:
                    update_target(target_model, q_model, config.tau)
            result.steps = step
            bar.update(1)
            # gierig bewerten (zählt nicht zur Trainingszeit)
            if config.eval_every and step % config.eval_every == 0 and step > config.learning_starts:
                result.train_seconds += time.perf_counter() - train_clock
                mean = evaluate_protocol(actor, config, seed)
                result.evaluations.append((step, mean, result.train_seconds))
                if logger is not None:
                    logger.log_scalar("bewertung", mean, step)
                train_clock = time.perf_counter()
                if mean >= config.target_return and result.solved_at_step is None:
                    result.solved_at_step, result.solved_after_seconds = step, result.train_seconds
                    if config.stop_when_solved:
                        break
    except KeyboardInterrupt:
        result.interrupted = True
        print(f"Training nach {result.steps} Schritten unterbrochen. Nichts ist verloren: "
              "`result = dqn.train(config, resume=result)` macht genau hier weiter.")
    finally:
        result.train_seconds += time.perf_counter() - train_clock
        close_outputs(bar, env, live_plot, logger)
    return result
