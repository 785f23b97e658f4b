"""Die fertigen DQN-Bausteine an einer Stelle: Lektionen 3–6, Tests und Benchmarks rufen genau diese Funktionen.

Die Bausteine, die Lernende selbst schreiben (Q-Netz, Bellman-Ziel, ε-Plan, Aktionswahl, Lernschritt,
Trainingsschleife, Target-Update, Double-DQN-Ziel), stehen nur einmal im Workshop: in den Lösungszellen
der Lektionen, markiert mit `# @save`. `python3 workshop.py library` schreibt sie als Text ganz unten in dieses
Modul (ein Test prüft den Abgleich); darüber steht, was drumherum nötig ist: Hyperparameter, Umgebung, Bewerten,
Speichern, Fortschrittsanzeigen. Backend-neutrales Keras 3 (läuft mit KERAS_BACKEND=tensorflow und =jax): im
Schritt-Takt nur `predict_on_batch` und `train_on_batch`, nie `predict`/`fit` (was ein Aufruf kostet:
bench/call_costs.py).
"""

import contextlib
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

import course
import provenance
from hyperparameters import Hyperparameters, did_you_mean, setting

with course.quiet_tensorflow():  # ohne TensorFlows Log-Zeilen beim Import
    import keras

ReplayMemory = course.load_helper("Ringbuffer").ReplayMemory  # add und sample: Lektion 5 (`# @save Ringbuffer`)


def limit_blas_threads():
    """NumPy rechnet unsere kleinen Matrizen mit einem Thread am schnellsten (gemessen: bench/call_costs.py);
    mit mehreren stören sich die BLAS-Threads und die von TensorFlow."""
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
# Hyperparameter (geprüft von hyperparameters.Hyperparameters)
# --------------------------------------------------------------------------------------
class DQNConfig(Hyperparameters):
    """Alle Hyperparameter eines DQN-Trainings, jeder mit seiner Bedeutung (`describe(config)` zeigt sie)."""

    env_id: str = setting("CartPole-v1", "Name der Gymnasium-Umgebung")
    total_steps: int = setting(50_000, "höchstens so viele Umgebungsschritte insgesamt")
    hidden_units: tuple = setting((64, 64), "Neuronen je verdeckter Schicht des Q-Netzes")
    learning_rate: float = setting(1e-3, "Schrittweite des Adam-Optimierers")
    gamma: float = setting(0.98, "Diskontierungsfaktor")
    batch_size: int = setting(128, "Übergänge pro Lernschritt")
    memory_size: int = setting(50_000, "Kapazität des Erfahrungsspeichers")
    learning_starts: int = setting(1_000, "erst so viele Schritte zufällig sammeln, dann lernen")
    train_every: int = setting(2, "alle wie viele Umgebungsschritte ein Lernschritt")
    epsilon_start: float = setting(1.0, "ε am Anfang: nur Zufall")
    epsilon_end: float = setting(0.02, "ε nach dem Abklingen")
    epsilon_decay_steps: int = setting(3_000, "über so viele Schritte sinkt ε linear (ab learning_starts)")
    target_update_every: int = setting(50, "Target-Netz alle N Lernschritte nachziehen (0: kein Target-Netz)")
    tau: float = setting(1.0, "Anteil pro Kopie: 1,0 hart, z. B. 0,02 weich (Polyak, wie in Lektion 4)")
    double_dqn: bool = setting(False, "Double-DQN-Ziel (Lektion 5) statt max über das Target-Netz")
    huber_delta: float = setting(1.0, "Huber-Verlust: quadratisch bis delta, danach linear (stutzt den Fehler)")
    clipnorm: float = setting(10.0, "Norm des Gradienten auf höchstens diesen Wert stutzen (0: aus)")
    eval_every: int = setting(500, "alle N Schritte gierig bewerten (0: nie)")
    eval_episodes: int = setting(100, "Episoden pro Bewertung")
    eval_screen_episodes: int = setting(10, "erst so viele; erreicht deren Mittel das Ziel, alle eval_episodes")
    target_return: float = setting(475.0, "ab diesem Mittelwert gilt die Umgebung als gelöst")
    stop_when_solved: bool = setting(True, "Training beenden, sobald die Bewertung das Ziel erreicht")

    def value_problems(self):
        problems = super().value_problems()
        if not 0.0 < self.tau <= 1.0:
            problems.append(f"`tau` muss in (0, 1] liegen, ist {self.tau}.")
        return problems


# Abgestimmte Einstellungen je Umgebung (bench/dqn_bench.py misst sie); alles Übrige wie in DQNConfig.
PRESETS = {
    # (128, 128) statt (64, 64): mit 64 Neuronen brach einer von 10 Seeds nach gutem Start ein und erholte sich nicht.
    # Ein Lernschritt nur jeden 8. Schritt, dafür aus 512 Übergängen und mit Lernrate 0,005: gleich viele Übergänge pro
    # Schritt wie 128 jeden 2. Schritt, aber ein Viertel der Keras-Aufrufe (Verwaltungsaufwand, bench/call_costs.py).
    # Gemessen über 10 Seeds: gelöst im Median nach 17 750 statt 20 000 Schritten; mit Lernrate 0,003 blieben 5 von 5
    # Seeds ungelöst, mit 0,004 brauchte Seed 0 40 000 Schritte (bench/dqn_bench.py, README).
    "CartPole-v1": dict(
        total_steps=50_000,
        hidden_units=(128, 128),
        learning_rate=5e-3,
        batch_size=512,
        train_every=8,
        target_update_every=12,  # Lernschritte: alle ~100 Umgebungsschritte (12 × 8)
        target_return=475.0,
    ),
    "Acrobot-v1": dict(total_steps=50_000, target_return=-100.0),
    # Landungen dauern Hunderte Schritte: größeres Netz, γ = 0,99, länger erkunden, Double DQN (Lektion 5).
    # Ein Lernschritt mit 256 Übergängen alle 8 Schritte statt 128 alle 4: gleich viele Übergänge, halb so viele
    # Keras-Aufrufe (10 Seeds, am selben Tag gemessen: Median 101 s gegenüber 165 s mit Stapel 128 alle 4 Schritte)
    "LunarLander-v3": dict(
        total_steps=300_000,
        hidden_units=(256, 256),
        learning_rate=1e-3,
        batch_size=256,
        gamma=0.99,
        memory_size=100_000,
        learning_starts=5_000,
        train_every=8,
        epsilon_end=0.05,
        epsilon_decay_steps=50_000,
        target_update_every=50,  # Lernschritte: alle 400 Umgebungsschritte
        double_dqn=True,
        eval_every=10_000,
        target_return=200.0,
    ),
    # Lektion 6, erster Akt: Mini-Breakout (atari.MiniBreakout) mit dem kleinen CNN der Lektion; Einstellungen wie
    # im MinAtar-Paper, nur kürzer (bench/pixel_candidates.py: nach 40 000 Schritten auf 10 von 10 Seeds gelernt)
    "Workshop/MiniBreakout-v0": dict(
        total_steps=40_000,
        learning_rate=1e-3,
        gamma=0.99,
        batch_size=64,
        memory_size=50_000,
        learning_starts=2_000,
        train_every=4,
        epsilon_end=0.05,
        epsilon_decay_steps=30_000,
        target_update_every=250,  # Lernschritte: alle 1 000 Umgebungsschritte
        double_dqn=True,
        eval_every=5_000,
        eval_screen_episodes=30,
        eval_episodes=30,
        target_return=1e9,  # kein »gelöst«: ein perfekter Agent spielte ewig; verglichen wird mit dem Band
        stop_when_solved=False,
    ),
    # Lektion 5, Überschätzung: kleines Netz, großer Lernschritt und verrauschte Belohnungen, damit die Schätzungen
    # schwanken; ein Target-Netz, das selten nachgezogen wird, ist ein zweiter, fast unabhängiger Schätzer
    "Workshop/MaxBias-v0": dict(
        total_steps=4_000,
        hidden_units=(32,),
        learning_rate=5e-3,
        gamma=0.99,
        batch_size=32,
        memory_size=2_000,
        learning_starts=500,
        train_every=1,
        epsilon_end=0.1,
        epsilon_decay_steps=2_000,
        target_update_every=1_000,
        eval_every=0,
        target_return=0.0,
    ),
}


def preset(env_id, **changes):
    """Die abgestimmte Konfiguration für `env_id`, mit einzelnen Änderungen: preset("CartPole-v1", gamma=0.95)."""
    if env_id not in PRESETS:
        raise course.InputError(
            f"Für »{env_id}« gibt es keine abgestimmten Einstellungen; bekannt sind: {', '.join(PRESETS)}. "
            "Du kannst trotzdem trainieren: DQNConfig(env_id=..., ...) mit eigenen Werten."
        )
    return DQNConfig(**{"env_id": env_id, **PRESETS[env_id], **changes})


def describe(config):
    """Tabelle aller Hyperparameter mit Wert und Bedeutung (aus `setting`); für DQNConfig und AtariConfig."""
    width = max(len(f.name) for f in fields(config))
    lines = [f"{f.name:<{width}}  {getattr(config, f.name)!s:<14}  {f.metadata.get('doc', '')}" for f in fields(config)]
    return "\n".join(lines)


def make_env(env_id, **kwargs):
    """gym.make mit deutscher Meldung bei unbekanntem Namen."""
    import gymnasium as gym

    try:
        return gym.make(env_id, **kwargs)
    except gym.error.Error as error:
        known = ", ".join(["CartPole-v1", "Acrobot-v1", "LunarLander-v3", "ALE/Breakout-v5"])
        known += ", Workshop/MaxBias-v0 (nach `import experiments`)"
        raise course.InputError(
            f"Die Umgebung »{env_id}« kennt Gymnasium nicht ({error}). "
            f"Prüfe die Schreibweise samt Version; im Workshop benutzen wir: {known}."
        ) from None


def check_env_fits_dqn(env, env_id, vector_only=True):
    """DQN braucht endlich viele Aktionen und (mit dem Dense-Netz, `vector_only`) einen Zahlenvektor als Beobachtung;
    sonst eine deutsche Meldung. Mit einem eigenen Netz (z. B. einem CNN) darf die Beobachtung ein Bild sein."""
    import gymnasium as gym

    if not isinstance(env.action_space, gym.spaces.Discrete):
        raise course.InputError(
            f"»{env_id}« hat kontinuierliche Aktionen ({env.action_space}); ein DQN wählt aus endlich vielen "
            "Aktionen (Discrete), weil es für jede einen Q-Wert ausgibt. Nimm eine Umgebung mit Discrete-Aktionen, "
            "z. B. CartPole-v1, Acrobot-v1 oder LunarLander-v3."
        )
    space = env.observation_space
    if not isinstance(space, gym.spaces.Box) or (vector_only and len(space.shape) != 1):
        raise course.InputError(
            f"»{env_id}« beobachtet {space}; dieses DQN erwartet einen Zahlenvektor (Box mit einer Achse). "
            "Für eine einzelne Zustandsnummer wie bei FrozenLake passt die Q-Tabelle aus Lektion 2 "
            "(oder `one_hot` aus Lektion 0 macht daraus einen Vektor); Bilder trainiert Lektion 6 mit einem CNN."
        )


def check_model_fits(q_model, env, env_id):
    """Passt ein (geladenes) Netz zur Umgebung: Eingänge = Beobachtung, Ausgänge = Aktionen? Sonst eine Meldung."""
    inputs = getattr(q_model, "input_shape", None)
    outputs = getattr(q_model, "output_shape", None)
    expected_in, expected_out = tuple(env.observation_space.shape), int(env.action_space.n)
    if inputs is None or outputs is None:
        return
    if tuple(inputs[1:]) != expected_in or outputs[-1] != expected_out:
        raise course.InputError(
            f"Das Netz passt nicht zu »{env_id}«: es erwartet Beobachtungen der Form {tuple(inputs[1:])} und gibt "
            f"{outputs[-1]} Q-Werte aus, die Umgebung liefert {expected_in} und hat {expected_out} Aktionen. "
            "Lade das Modell, das für diese Umgebung trainiert wurde (z. B. models/acrobot.keras für Acrobot-v1)."
        )


# --------------------------------------------------------------------------------------
# Das Q-Netz mit Aktionsmaske
# --------------------------------------------------------------------------------------
def compile_models(train_model, learning_rate, huber_delta=1.0, clipnorm=10.0):
    """Macht aus einem Q-Netz mit Aktionsmaske das Paar (train_model, q_model), das `train(..., models=...)` nimmt.

    Jedes `build_...` der Lektionen (`build_q_network` in Lektion 3, `build_small_cnn` und `build_cnn` in Lektion 6)
    gibt ein Modell [obs, action_mask (B, n_actions)] -> Q * Maske zurück. Hier wird es kompiliert (Adam, Huber,
    `clipnorm`: `compile_train_model` aus Lektion 3) und bekommt sein Teilmodell q_model: obs -> Q-Werte
    (B, n_actions), zum Handeln und für Ziele; beide teilen sich alle Gewichte.
    """
    compile_train_model(train_model, learning_rate, huber_delta, clipnorm)
    return train_model, q_model_of(train_model)


def q_model_of(train_model):
    """Das Teilmodell obs -> Q-Werte eines Trainingsmodells (teilt die Gewichte)."""
    return keras.Model(train_model.inputs[0], train_model.get_layer("q_values").output, name="q")


def clone_weights(q_model):
    """Eine zweite Kopie des Netzes (Target-Netz) mit denselben Gewichten."""
    target = keras.models.clone_model(q_model)
    target.set_weights(q_model.get_weights())
    return target


class NumpyQ:
    """Eine NumPy-Kopie eines Dense-Q-Netzes: dieselbe Rechnung (x @ W + b, ReLU), ohne Keras.

    Warum? Ein Keras-Aufruf kostet Verwaltungsaufwand, egal wie klein die Eingabe ist; die paar
    Matrixmultiplikationen eines kleinen Netzes in NumPy sind etwa 40-mal schneller (bench/call_costs.py). Sie hat
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
        for layer in model.layers:
            if isinstance(layer, keras.layers.Dense):
                if layer.activation.__name__ not in ("relu", "linear"):
                    return False
            elif not isinstance(layer, (keras.layers.InputLayer, keras.layers.Flatten)):
                return False
        return True

    @classmethod
    def from_model(cls, model):
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


# --------------------------------------------------------------------------------------
# Bewerten
# --------------------------------------------------------------------------------------
def play_episodes(q_model, make, n, seed, epsilon=0.0, rng=None, max_steps=None, on_finished=None):
    """Spielt n Episoden gleichzeitig in Umgebungen aus `make()`: eine Netz-Abfrage pro Schritt für alle, gierig oder
    ε-greedy (Zufall aus `rng`). `max_steps` begrenzt jede Episode, `on_finished(k)` meldet k fertige Episoden.
    Gibt die Erträge (n,) zurück. Die eine Bewertungsschleife für `evaluate` und `atari.play`."""
    import itertools

    import gymnasium as gym

    envs = gym.vector.SyncVectorEnv([make for _ in range(n)], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    try:
        obs, _ = envs.reset(seed=seed)
        totals, running = np.zeros(n), np.ones(n, dtype=bool)
        for _ in itertools.count() if max_steps is None else range(max_steps):
            actions = np.argmax(q_model.predict_on_batch(obs), axis=1)
            if epsilon > 0:
                explore = rng.random(n) < epsilon
                actions[explore] = rng.integers(envs.single_action_space.n, size=int(explore.sum()))
            obs, rewards, terminated, truncated, _ = envs.step(actions)
            totals += rewards * running
            finished = running & (terminated | truncated)
            if on_finished is not None:
                on_finished(int(finished.sum()))
            running &= ~finished
            if not running.any():
                break
        return totals
    finally:
        envs.close()


def evaluate(q_model, env_id, episodes=100, seed=10_000, max_parallel=100, epsilon=0.0):
    """Gierige Bewertung: `episodes` Episoden parallel (eine Netz-Abfrage pro Schritt für alle); gibt die Erträge."""
    env = make_env(env_id)
    try:
        check_model_fits(q_model, env, env_id)
    finally:
        env.close()
    returns = []
    rng = np.random.default_rng(seed)
    while len(returns) < episodes:
        n = min(max_parallel, episodes - len(returns))
        totals = play_episodes(q_model, lambda: make_env(env_id), n, seed + len(returns), epsilon=epsilon, rng=rng)
        returns.extend(totals.tolist())
    return np.array(returns)


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
    try:
        train_model.save(tmp)
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        kept = "Die vorige Fassung liegt unverändert da. " if path.exists() else ""
        raise course.InputError(
            f"Das Modell ließ sich nicht nach {path} speichern ({error.strerror or error}). {kept}"
            "Ist die Festplatte voll? Mach Platz (z. B. alte Ordner in logs/ oder checkpoints/ löschen) und "
            "speichere noch einmal: das trainierte Netz ist noch im Speicher."
        ) from None


def load_shipped(name, env_id=None):
    """Ein Agent samt Herkunft, für jede Lektion derselbe Weg: `name` aus models/ (z. B. "cartpole", "breakout")
    oder der Pfad einer .keras-Datei (z. B. ein Export von scripts/train_breakout.py). Mit `env_id` prüft es, ob
    das Netz zu dieser Umgebung passt. Gibt (q_model, Herkunft als dict, Herkunft als deutscher Satz) zurück;
    ohne Herkunftsdatei daneben ist das dict leer."""
    path = Path(name) if str(name).endswith(".keras") else course.MODEL_DIR / f"{name}.keras"
    _, q_model = load_model(path)
    if env_id is not None:
        env = make_env(env_id)
        try:
            check_model_fits(q_model, env, env_id)
        finally:
            env.close()
    info = path.with_suffix(".json")
    provenance = json.loads(info.read_text(encoding="utf-8")) if info.is_file() else {}
    if not provenance:
        return q_model, provenance, f"Modell {path.name} (ohne Herkunftsdatei {info.name})"
    evaluation = provenance["evaluation"]
    steps = provenance.get("steps", provenance.get("agent_steps"))  # Breakout zählt Agenten-Schritte (je 4 Bilder)
    text = (
        f"Mitgeliefertes Modell: {course.german_number(steps)} Schritte, "
        f"{course.german_number(provenance['train_seconds'])} s Training, Bewertung "
        f"{course.german_number(evaluation['mean'], 1)} über {evaluation['episodes']} Episoden"
    )
    return q_model, provenance, text


def load_model(path, learning_rate=None):
    """Lädt ein gespeichertes DQN-Modell; gibt (train_model, q_model) zurück, mit deutschen Fehlermeldungen.

    `learning_rate`: die Lernrate, falls das Netz weiterlernt; ohne Angabe die aus seiner Herkunftsdatei
    (`NAME.json` daneben, wie `scripts/train_agent.py` sie schreibt), sonst der Standard von DQNConfig.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Das Modell {path} gibt es nicht. Trainiere zuerst (Trainingszelle ausführen) "
            "oder prüfe den Pfad; die mitgelieferten Modelle liegen in models/."
        )
    try:
        train_model = keras.models.load_model(path, compile=False)
    except Exception as error:
        if "safe_mode" in str(error) or "Lambda" in str(error):
            raise course.InputError(
                f"Das Modell {path} enthält eingebetteten Python-Code (eine Lambda-Schicht). Solchen Code führt der "
                "Workshop nie aus: Er könnte beim Laden alles auf deinem Rechner tun. Nimm ein Modell, das mit "
                "`dqn.save_model` aus einem Netz dieses Workshops gespeichert wurde, oder trainiere selbst."
            ) from None
        raise course.InputError(
            f"Das Modell {path} lässt sich nicht laden ({type(error).__name__}: {error}). "
            "Die Datei ist vermutlich beschädigt oder unvollständig: lösche sie und trainiere neu."
        ) from None
    try:
        q_model = q_model_of(train_model)
    except ValueError:
        raise course.InputError(
            f"Das Modell {path} hat keine Schicht »q_values«: Es ist kein DQN-Modell dieses Workshops. "
            "Lade ein Modell, das `dqn.save_model` gespeichert hat (z. B. models/cartpole.keras), "
            "oder trainiere selbst."
        ) from None
    if learning_rate is None:
        learning_rate = _saved_learning_rate(path)
    compile_train_model(train_model, learning_rate)
    return train_model, q_model


def _saved_learning_rate(path):
    """Die Lernrate aus der Herkunftsdatei neben dem Modell; ohne lesbare Angabe der Standard von DQNConfig."""
    try:
        config = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["config"]
        return float(config["learning_rate"])
    except (OSError, ValueError, KeyError, TypeError):
        return DQNConfig.__dataclass_fields__["learning_rate"].default


# --------------------------------------------------------------------------------------
# Die Trainingsschleife
# --------------------------------------------------------------------------------------
@dataclass
class TrainResult:
    """Was `train` zurückgibt, in Lektion 3–5 (`dqn.train`) wie in Lektion 6 (`atari.train`)."""

    train_model: object
    q_model: object
    episode_returns: list = field(default_factory=list)  # bei Breakout: Punkte jedes vollen Spiels
    evaluations: list = field(default_factory=list)  # (Schritt, Mittelwert, Trainingssekunden)
    steps: int = 0
    train_seconds: float = 0.0  # reine Trainingszeit, ohne Bewertungen und Checkpoints
    solved_at_step: int = None
    solved_after_seconds: float = None
    interrupted: bool = False
    # Was ein unterbrochenes Training zum Weitermachen braucht (train(..., resume=result)); ein Checkpoint von
    # atari.train speichert genau das auf der Festplatte
    target_model: object = None
    replay_memory: object = None
    updates: int = 0
    rng: object = None
    config: object = None
    seed: int = 0
    history: list = field(default_factory=list)  # je Aufruf: Start- und Endschritt, Sekunden, Rechner

    def summary(self):
        text = f"{self.steps} Schritte in {course.german_number(self.train_seconds, 1)} s Trainingszeit"
        if self.evaluations:  # ohne Bewertungen im Training (eval_every=0) keine „beste Bewertung nan“
            text += f", beste Bewertung {course.german_number(max(m for _, m, _ in self.evaluations), 1)}"
        if self.solved_at_step is not None:
            seconds = course.german_number(self.solved_after_seconds, 1)
            text += f"; gelöst nach {self.solved_at_step} Schritten ({seconds} s)"
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


def learning_begins(bar):
    """Ab hier lernt das Netz, und jeder Schritt kostet ein Vielfaches: Die Restzeit des Balkens soll nicht länger
    mit dem Tempo des reinen Sammelns rechnen. tqdm schätzt sie aus einem gleitenden Mittel des Tempos (EMA);
    das beginnt hier neu und kennt nach der nächsten Anzeige nur noch Lernschritte."""
    from tqdm.std import EMA

    if getattr(bar, "disable", True) or not hasattr(bar, "_ema_dn"):
        return
    bar._ema_dn, bar._ema_dt, bar._ema_miniters = EMA(bar.smoothing), EMA(bar.smoothing), EMA(bar.smoothing)
    bar.last_print_n, bar.last_print_t = bar.n, bar._time()
    bar.set_description("lernt", refresh=False)


def close_outputs(bar, env, live_plot=None, logger=None, goal_reached=False):
    """Am Ende eines Trainings (auch nach Abbruch): Balken und Umgebung schließen, Kurve zeichnen, Log schreiben.

    `goal_reached`: das Training hörte vorzeitig auf, weil es gelöst ist; der Balken endet dann als Erfolg
    (grün, voll) statt rot bei z. B. 43 %, wie tqdm einen vorzeitig geschlossenen Balken sonst zeigt.
    """
    if goal_reached and bar.total and bar.n < bar.total:
        bar.total = bar.n
        container = getattr(bar, "container", None)  # tqdm.notebook: das Widget hat sein eigenes Maximum
        if container is not None:
            container.children[1].max = bar.n
    bar.close()
    env.close()
    if live_plot is not None:
        live_plot.finalise()
    if logger is not None:
        logger.flush()


def _memory_dtype(env):
    return np.uint8 if env.observation_space.dtype == np.uint8 else np.float32


class TrainRun:
    """Alles um die Trainingsschleife herum, was nicht DQN ist: Umgebung, Netze, Speicher, Zähler, Anzeigen, Bewertung.

    Die Schleife selbst steht in Lektion 3 (`train`) und liest sich dadurch wie CleanRLs `dqn.py`.
    Als `with run:`-Block fängt es Strg+C / ■ ab (das Training endet sauber und lässt sich mit
    `resume=result` fortsetzen) und schließt am Ende Fortschrittsbalken, Umgebung, Live-Kurve und Log.
    `atari.TrainRun` ist derselbe Rahmen für Breakout, mit Checkpoints auf der Festplatte.
    """

    report_name = "ertrag"  # so heißt der Wert jeder Episode in Balken und TensorBoard
    vector_only = True  # das eigene Netz (build_q_network) braucht einen Zahlenvektor als Beobachtung

    def __init__(
        self,
        config,
        seed=0,
        models=None,
        resume=None,
        live_plot=None,
        logger=None,
        progress=True,
        memory_class=ReplayMemory,
    ):
        from tqdm.auto import tqdm

        if resume is not None:
            seed = resume.seed
        self.config, self.seed, self.live_plot, self.logger = config, seed, live_plot, logger
        self.memory_class = memory_class
        self.env = self._make_env()
        given = resume.q_model if resume is not None else models[1] if models else None  # eigenes Netz, Fortsetzen
        try:
            check_env_fits_dqn(self.env, self._env_name(), vector_only=self.vector_only and given is None)
            if given is not None:
                check_model_fits(given, self.env, self._env_name())
        except course.InputError:
            self.env.close()
            raise
        self.n_actions = int(self.env.action_space.n)
        obs_shape = self.env.observation_space.shape
        if resume is not None:
            result = resume
            result.interrupted = False
        else:
            keras.utils.set_random_seed(seed)
            train_model, q_model = models or self._build_models(obs_shape)
            # Target-Netz: eine schnelle Kopie (NumPy bei Dense-Netzen); ohne Target-Netz (0) das Online-Netz selbst
            result = TrainResult(
                train_model,
                q_model,
                rng=np.random.default_rng(seed),
                target_model=fast_copy(q_model) if config.target_update_every else None,
                seed=seed,
            )
        if result.replay_memory is None:  # neu, oder ein Checkpoint ohne lesbaren Speicher
            result.replay_memory = self._new_memory(obs_shape, result.steps)
        result.config = config
        self.result = result
        self.train_model, self.replay_memory, self.rng = result.train_model, result.replay_memory, result.rng
        # Zum Handeln eine schnelle NumPy-Kopie des Online-Netzes (nach jedem Lernschritt nachgezogen), bei
        # großen Netzen das Netz selbst (warum: NumpyQ, bench/call_costs.py).
        self.online_copy = NumpyQ.from_model(result.q_model) if NumpyQ.supports(result.q_model) else result.q_model
        self.target_model = result.target_model if result.target_model is not None else self.online_copy
        # Lernen beginnt nach `learning_starts` Schritten; ein fortgesetztes Training mit leerem Speicher sammelt
        # erst wieder so viele
        self.learning_starts = config.learning_starts
        if len(self.replay_memory) < config.learning_starts:
            self.learning_starts += result.steps
        self.obs, _ = self.env.reset(seed=seed + result.steps)
        self.episode_return = 0.0
        self.bar = tqdm(
            total=config.total_steps, initial=result.steps, unit="Schritt", disable=not progress, mininterval=0.5
        )
        if result.steps < self.learning_starts:  # bis dahin billige Schritte: die Restzeit wird danach neu geschätzt
            self.bar.set_description("sammelt", refresh=False)
        self.start_step = result.steps
        self.started = self._clock = time.perf_counter()

    # Was Breakout (atari.TrainRun) anders macht
    def _env_name(self):
        return self.config.env_id

    def _make_env(self):
        return make_env(self.config.env_id)

    def _build_models(self, obs_shape):
        config = self.config
        train_model = build_q_network(tuple(obs_shape), self.n_actions, tuple(config.hidden_units))
        return compile_models(train_model, config.learning_rate, config.huber_delta, config.clipnorm)

    def _new_memory(self, obs_shape, start_step):
        # Bilder (uint8) bleiben uint8: ein Viertel des Speichers von float32
        return self.memory_class(self.config.memory_size, obs_shape, _memory_dtype(self.env), seed=self.seed)

    def _evaluate(self, step):
        return evaluate_protocol(self.online_copy, self.config, self.seed)

    def _solved(self, mean):
        return mean >= self.config.target_return

    def _interrupt_message(self):
        return (
            f"Training nach {self.result.steps} Schritten unterbrochen. Nichts ist verloren: "
            "`result = train(config, resume=result)` macht genau hier weiter."
        )

    def _finish(self):
        """Nach dem Ende der Schleife (fertig oder Strg+C): den Lauf in `history` eintragen."""
        self.result.history.append(self.entry())

    # Der Rahmen
    @property
    def updates(self):
        return self.result.updates

    def steps(self):
        """Die Schrittnummern dieses Laufs (ab dem letzten Stand bei `resume`), mit Fortschrittsbalken."""
        for step in range(self.result.steps + 1, self.config.total_steps + 1):
            self.result.steps = step
            if step == self.learning_starts + 1:
                learning_begins(self.bar)
            self.bar.update(1)
            yield step

    def continue_episode(self, next_obs, reward, episode_over, epsilon):
        """Zählt den Ertrag mit; am Episodenende: melden (Kurve, TensorBoard, Balken), neu starten; gibt die obs."""
        self.episode_return += reward
        if not episode_over:
            return next_obs
        self.result.episode_returns.append(self.episode_return)
        report_episode(
            self.episode_return, self.result.steps, epsilon, self.bar, self.live_plot, self.logger, self.report_name
        )
        self.episode_return = 0.0
        return self.env.reset()[0]

    def learned(self, loss):
        """Nach einem Lernschritt: zählen, die schnelle Kopie zum Handeln nachziehen, den Verlust protokollieren."""
        self.result.updates += 1
        if self.online_copy is not self.result.q_model:
            self.online_copy.set_weights(self.result.q_model.get_weights())
        if self.logger is not None and self.result.updates % 100 == 0:
            self.logger.log_scalar("verlust", loss, self.result.steps)
            # mittleres max Q der ersten 256 Zustände im Speicher (wie CleanRL; ohne den Zufall des Trainings zu
            # berühren): wächst es ohne Halt, Checkliste Punkt 5. Der Bild-Speicher von Breakout hat keine `obs`.
            states = getattr(self.replay_memory, "obs", None)
            if states is not None:
                q_values = np.asarray(self.online_copy.predict_on_batch(states[: min(256, len(self.replay_memory))]))
                self.logger.log_scalar("q_mittel", float(q_values.max(axis=1).mean()), self.result.steps)

    def evaluate_if_due(self, step):
        """Alle `eval_every` Schritte gierig bewerten (zählt nicht zur Trainingszeit). True: gelöst, Training endet."""
        config = self.config
        if not (config.eval_every and step % config.eval_every == 0 and step > config.learning_starts):
            return False
        with self.paused():
            mean = self._evaluate(step)
        self.result.evaluations.append((step, mean, round(self.result.train_seconds, 1)))
        if self.logger is not None:
            self.logger.log_scalar("bewertung", mean, step)
        if self.live_plot is not None:
            self.live_plot.add_evaluation(mean, step)
        solved = self._solved(mean) and self.result.solved_at_step is None
        if solved:
            self.result.solved_at_step, self.result.solved_after_seconds = step, self.result.train_seconds
        return solved and config.stop_when_solved

    @contextlib.contextmanager
    def paused(self):
        """Was in diesem Block geschieht (Bewertung, Checkpoint), zählt nicht zur Trainingszeit."""
        self._stop_clock()
        try:
            yield
        finally:
            self._clock = time.perf_counter()

    def _stop_clock(self):
        now = time.perf_counter()
        self.result.train_seconds += now - self._clock
        self._clock = now

    def entry(self):
        """Dieser Aufruf für die Herkunft: von welchem bis zu welchem Schritt, wie lange, auf welchem Rechner."""
        return dict(
            from_step=self.start_step,
            to_step=self.result.steps,
            seconds=round(time.perf_counter() - self.started, 1),
            machine=provenance.machine_description(),
            keras_backend=keras.backend.backend(),
        )

    def __enter__(self):
        self._clock = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, traceback):
        self._stop_clock()
        solved = exc_type is None and self.result.solved_at_step is not None
        close_outputs(self.bar, self.env, self.live_plot, self.logger, goal_reached=solved)
        if exc_type not in (None, KeyboardInterrupt):
            return False
        self._finish()
        if exc_type is KeyboardInterrupt:
            self.result.interrupted = True
            print(self._interrupt_message())
            return True  # Abbruch ist gewollt: kein Traceback
        return False


# --------------------------------------------------------------------------------------
# Was du sehen solltest: die 10 Seeds des Benchmarks neben deinem Lauf
# --------------------------------------------------------------------------------------
PIXEL_BENCH = {"Workshop/MiniBreakout-v0": "pixel_mini-breakout.json"}  # bench/pixel_candidates.py (Lektion 6)


def benchmark_band(env_id, backend=None):
    """Die gierigen Bewertungen der 10 Seeds aus bench/dqn_bench.py (unser DQN, dieses Preset) je Schritt.

    Gibt (Schritte, niedrigste, Median, höchste) als Arrays und die Schritte bis „gelöst“ je Seed zurück. Ein Seed,
    der gelöst aufhörte, zählt danach mit seinem letzten Wert weiter (er hätte das Ziel gehalten).
    """
    backend = backend or keras.backend.backend()
    name = env_id.split("-")[0].lower()
    path = course.ROOT / "bench" / "results" / f"dqn_{name}_{backend}.json"
    if env_id in PIXEL_BENCH:
        path = course.ROOT / "bench" / "results" / PIXEL_BENCH[env_id]
    elif not path.is_file():
        path = course.ROOT / "bench" / "results" / f"dqn_{name}_tensorflow.json"
    runs = [run for run in json.loads(path.read_text(encoding="utf-8"))["runs"] if run["agent"] == "ours"]
    steps = np.array(sorted({step for run in runs for step, *_ in run["evaluations"]}))
    curves = []
    for run in runs:
        known = {step: mean for step, mean, *_ in run["evaluations"]}
        last, curve = np.nan, []
        for step in steps:
            last = known.get(step, last if step > max(known) else np.nan)
            curve.append(last)
        curves.append(curve)
    curves = np.array(curves, dtype=float)
    with np.errstate(all="ignore"):
        low, median, high = (np.nanmin(curves, 0), np.nanmedian(curves, 0), np.nanmax(curves, 0))
    solved = [run["solved_at_step"] for run in runs]
    return steps, low, median, high, solved


def compare_with_benchmark(result):
    """Eine Zeile: lag dein Lauf im Band der 10 Benchmark-Seeds, darüber oder darunter, und was dann zu tun ist."""
    if course.QUICK:
        return "Schnellmodus: zu kurz für einen Vergleich mit den 10 Seeds des Benchmarks."
    if not result.config.stop_when_solved:
        return _compare_last_evaluation(result)
    *_, solved = benchmark_band(result.config.env_id)
    done = sorted(step for step in solved if step is not None)
    band = (
        f"die 10 Seeds des Benchmarks lösten {len(done)} von {len(solved)} Mal, nach {done[0]:_} bis {done[-1]:_} "
        f"Schritten (Median {int(np.median(done)):_})".replace("_", " ")
        if done
        else f"die 10 Seeds des Benchmarks lösten es in {result.config.total_steps} Schritten nicht"
    )
    mine = result.solved_at_step
    if mine is None:
        verdict = (
            f"Dein Lauf hat das Ziel in {result.steps:_} Schritten nicht erreicht; {band}. Das ist unter dem Band: "
            "Geh die Checkliste Fehlersuche in Lektion 3 durch, Punkt 1 (Prüfumgebungen) zuerst."
        )
    elif done and mine < done[0]:
        verdict = (
            f"Dein Lauf war mit {mine:_} Schritten schneller als alle 10; {band}. Glück gehabt, oder ein guter Seed."
        )
    elif done and mine > done[-1]:
        verdict = (
            f"Dein Lauf brauchte {mine:_} Schritte, mehr als alle 10; {band}. Ein einzelner Lauf kann Pech haben "
            "(Checkliste Fehlersuche, Punkt 7: mehrere Seeds); ist es jedes Mal so, ab Punkt 1."
        )
    else:
        verdict = f"Dein Lauf: gelöst nach {mine:_} Schritten, im Band; {band}."
    return "Was du sehen solltest: " + verdict.replace("_", " ")


def _compare_last_evaluation(result):
    """Für Trainings ohne »gelöst« (Mini-Breakout): die letzte gierige Bewertung gegen die 10 Seeds bei dem Schritt."""
    steps, low, median, high, _ = benchmark_band(result.config.env_id)
    if not result.evaluations:
        return "Was du sehen solltest: Dein Lauf hat keine Bewertung (eval_every = 0); nichts zu vergleichen."
    step, mine = result.evaluations[-1][:2]
    known = np.flatnonzero(steps <= step)
    if not len(known):
        return f"Was du sehen solltest: Die 10 Seeds wurden erst ab Schritt {steps[0]:_} bewertet.".replace("_", " ")
    i = known[-1]
    band = (
        f"die 10 Seeds des Benchmarks lagen bei Schritt {int(steps[i]):_} zwischen {course.german_number(low[i])} "
        f"und {course.german_number(high[i])} (Median {course.german_number(median[i])})"
    ).replace("_", " ")
    mine_text = f"Deine letzte Bewertung: {course.german_number(mine)} Punkte nach {step:_} Schritten".replace("_", " ")
    if mine < low[i]:
        verdict = (
            f"{mine_text}; {band}. Das ist unter dem Band: Geh die Checkliste Fehlersuche in Lektion 3 durch, "
            "Punkt 1 (Prüfumgebungen) zuerst; bei Bildern auch: Schiebt `push_frame` wirklich nach?"
        )
    elif mine > high[i]:
        verdict = f"{mine_text}; {band}. Besser als alle 10: Glück gehabt, oder ein guter Seed."
    else:
        verdict = f"{mine_text}, im Band; {band}."
    return "Was du sehen solltest: " + verdict


def _names_used(code):
    """Die globalen Namen, die ein Code-Objekt (samt inneren Funktionen) benutzt."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names_used(const)
    return names


def with_parts(function, **parts):
    """Dieselbe Funktion, die aber die genannten Bausteine aus `parts` nimmt statt der fertigen aus diesem Modul.

    So trainiert eine Lektion mit den Funktionen, die du dort geschrieben hast, z. B. in Lektion 4:
    `train = dqn.with_parts(dqn.train, update_target=update_target)`.
    """
    import types

    unknown = sorted(name for name in parts if name not in function.__globals__)
    if unknown:
        raise course.InputError(
            f"`{function.__name__}` kennt keinen Baustein namens {', '.join(unknown)}."
            + (did_you_mean(unknown, function.__globals__) or " Prüfe die Schreibweise.")
        )
    # Nur Namen, die `function` selbst aufruft, lassen sich tauschen; ein Baustein, den erst eine andere Funktion
    # aufruft (`bellman_target` in `learning_step`), bliebe still der alte.
    indirect = sorted(name for name in parts if name not in _names_used(function.__code__))
    if indirect:
        callers = sorted(
            caller
            for caller, value in function.__globals__.items()
            if callable(value)
            and getattr(value, "__code__", None) is not None
            and getattr(value, "__module__", None) == function.__module__
            and any(name in _names_used(value.__code__) for name in indirect)
            and caller in _names_used(function.__code__)
        )
        via = f" (das tut {', '.join(f'`{c}`' for c in callers)})" if callers else ""
        raise course.InputError(
            f"`{function.__name__}` ruft {', '.join(f'`{n}`' for n in indirect)} nicht selbst auf{via}; so getauscht, "
            "bliebe still die fertige Fassung im Einsatz. Tausche den Baustein in der Funktion, die ihn aufruft, "
            "und gib diese weiter, z. B. `dqn.with_parts(dqn.train, learning_step=dqn.with_parts(dqn.learning_step, "
            "bellman_target=mein_ziel))`."
        )
    changed = types.FunctionType(
        function.__code__,
        {**function.__globals__, **parts},
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    changed.__doc__, changed.__kwdefaults__ = function.__doc__, function.__kwdefaults__
    return changed


# --------------------------------------------------------------------------------------
# Die Bausteine aus den Lektionen: jede `# @save`-Zelle, in der Reihenfolge der Lektionen (eine spätere
# Fassung ersetzt eine frühere, z. B. der Lernschritt mit Double DQN aus Lektion 5 den aus Lektion 3).
# --------------------------------------------------------------------------------------
dqn = sys.modules[__name__]  # die Zellen schreiben `dqn.TrainRun` usw., wie in der Lektion


# >>> erzeugt von `python3 workshop.py library` aus den `# @save`-Zellen; hier nichts ändern
# --- notebooks/00_Einfuehrung_Jupyter_Python_NumPy.ipynb, Zelle 35 ---
def one_hot(actions, n_actions):
    """(B,) ganze Zahlen -> (B, n_actions) float32 mit einer Eins je Zeile."""
    return np.eye(n_actions, dtype=np.float32)[np.asarray(actions)]


# --- notebooks/03_DQN_CartPole.ipynb, Zelle 13 ---
def build_q_network(obs_shape, n_actions, hidden_units=(64, 64)):
    """Keras-Modell [obs (B, *obs_shape), action_mask (B, n_actions)] -> Q-Werte × Maske (B, n_actions)."""
    obs = keras.Input(obs_shape, name="obs")
    action_mask = keras.Input((n_actions,), name="action_mask")
    x = obs
    for units in hidden_units:
        x = keras.layers.Dense(units, activation="relu")(x)
    q_values = keras.layers.Dense(n_actions, name="q_values")(x)
    masked_q = keras.layers.Multiply()([q_values, action_mask])
    return keras.Model([obs, action_mask], masked_q)


# --- notebooks/03_DQN_CartPole.ipynb, Zelle 19 ---
def compile_train_model(train_model, learning_rate, huber_delta=1.0, clipnorm=10.0, optimizer=None):
    """Adam und Huber-Verlust; `optimizer`: einen vorhandenen (geladenen) Optimierer samt Zustand weiterverwenden."""
    optimizer = optimizer or keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm or None)
    # Huber-Verlust = das Stutzen des Fehlers im Nature-Paper; die Maske macht den Fehler nicht gewählter Aktionen 0
    train_model.compile(
        optimizer=optimizer, loss=keras.losses.Huber(delta=huber_delta, reduction="sum_over_batch_size")
    )


# --- notebooks/03_DQN_CartPole.ipynb, Zelle 23 ---
def bellman_target(rewards, next_q_values, terminated, gamma):
    """y = r + γ · max_a' Q(s', a'), ohne Zukunft bei terminated. (B,), (B, A), (B,) -> (B,) float32."""
    not_terminal = 1.0 - np.asarray(terminated, dtype=np.float32)
    return (np.asarray(rewards, np.float32) + gamma * not_terminal * np.max(next_q_values, axis=1)).astype(np.float32)


# --- notebooks/03_DQN_CartPole.ipynb, Zelle 27 ---
def linear_epsilon(step, start_step, decay_steps, epsilon_start=1.0, epsilon_end=0.05):
    """ε fällt linear von epsilon_start (bis start_step) auf epsilon_end (ab start_step + decay_steps)."""
    fraction = np.clip((step - start_step) / decay_steps, 0.0, 1.0)
    return float(epsilon_start + (epsilon_end - epsilon_start) * fraction)


# --- notebooks/03_DQN_CartPole.ipynb, Zelle 32 ---
def greedy_action(q_model, obs):
    """Index der Aktion mit dem größten Q-Wert für eine einzelne Beobachtung obs (Form obs_shape)."""
    q_values = q_model.predict_on_batch(np.asarray(obs, np.float32)[None])
    return int(np.argmax(q_values[0]))


def epsilon_greedy_action(q_model, obs, epsilon, n_actions, rng):
    """Mit Wahrscheinlichkeit epsilon eine zufällige Aktion (rng.integers), sonst greedy_action."""
    if rng.random() < epsilon:
        return int(rng.integers(n_actions))
    return greedy_action(q_model, obs)


# --- notebooks/03_DQN_CartPole.ipynb, Zelle 42 ---
def train(config, seed=0, models=None, resume=None, live_plot=None, logger=None, progress=True):
    """Trainiert einen DQN-Agenten nach `config`; gibt ein dqn.TrainResult zurück (Netze, Erträge, Bewertungen).

    `models`: (train_model, q_model) eines eigenen Netzes. Strg+C / ■ bricht sauber ab;
    `train(config, resume=result)` macht dann genau dort weiter.
    """
    # Umgebung, Netze, Erfahrungsspeicher (ein ReplayMemory), Anzeigen
    run = dqn.TrainRun(config, seed, models, resume, live_plot, logger, progress, ReplayMemory)
    train_model, online_copy, target_model = run.train_model, run.online_copy, run.target_model
    replay_memory, rng, obs = run.replay_memory, run.rng, run.obs
    with run:  # fängt Strg+C ab und schließt am Ende Umgebung und Anzeigen
        for step in run.steps():
            # 1. handeln: ε-greedy mit dem Online-Netz
            epsilon = linear_epsilon(
                step, config.learning_starts, config.epsilon_decay_steps, config.epsilon_start, config.epsilon_end
            )
            action = epsilon_greedy_action(online_copy, obs, epsilon, run.n_actions, rng)
            # 2. Schritt in der Umgebung
            next_obs, reward, terminated, truncated, _ = run.env.step(action)
            # 3. speichern (nur `terminated` beendet die Zukunft, `truncated` nicht)
            replay_memory.add(obs, action, reward, next_obs, terminated)
            obs = run.continue_episode(next_obs, reward, terminated or truncated, epsilon)  # neue Episode nach dem Ende
            if step > config.learning_starts and step % config.train_every == 0:
                # 4.–6. ziehen → Ziel → lernen
                loss = learning_step(train_model, target_model, replay_memory, config, online_copy)
                run.learned(loss)  # zählt den Lernschritt und zieht die Kopie online_copy nach
                # 7. Target-Netz alle target_update_every Lernschritte nachziehen (0: kein Target-Netz)
                if config.target_update_every and run.updates % config.target_update_every == 0:
                    update_target(target_model, online_copy, config.tau)
            if run.evaluate_if_due(step):  # gierige Bewertung; True: gelöst, das Training endet
                break
    return run.result


# --- notebooks/04_Target_Netzwerk_Acrobot.ipynb, Zelle 9 ---
def update_target(target_model, online_model, tau=1.0):
    """Target-Netz nachziehen: tau=1 kopiert hart, tau<1 mischt weich (Polyak)."""
    if tau >= 1.0:
        target_model.set_weights(online_model.get_weights())
    else:
        target_model.set_weights(
            [tau * w + (1.0 - tau) * t for w, t in zip(online_model.get_weights(), target_model.get_weights())]
        )


# --- notebooks/05_Replay_DoubleDQN_LunarLander.ipynb, Zelle 22 ---
def double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma):
    """Double DQN: das Online-Netz wählt a' = argmax, das Target-Netz bewertet. (B,), (B, A), (B, A), (B,) -> (B,)."""
    best_actions = np.argmax(next_q_online, axis=1)
    next_values = np.asarray(next_q_target)[np.arange(len(best_actions)), best_actions]
    not_terminal = 1.0 - np.asarray(terminated, dtype=np.float32)
    return (np.asarray(rewards, np.float32) + gamma * not_terminal * next_values).astype(np.float32)


# --- notebooks/05_Replay_DoubleDQN_LunarLander.ipynb, Zelle 25 (ersetzt 03_DQN_CartPole.ipynb, Zelle 37) ---
def learning_step(train_model, target_model, replay_memory, config, online_copy=None):
    """Ein Lernschritt wie in Lektion 3; mit config.double_dqn wählt das Online-Netz a' und das Target-Netz bewertet."""
    obs, actions, rewards, next_obs, terminated = replay_memory.sample(config.batch_size)
    next_q_target = target_model.predict_on_batch(next_obs)
    if config.double_dqn:
        next_q_online = online_copy.predict_on_batch(next_obs)
        targets = double_dqn_target(rewards, next_q_online, next_q_target, terminated, config.gamma)
    else:
        targets = bellman_target(rewards, next_q_target, terminated, config.gamma)
    mask = one_hot(actions, next_q_target.shape[1])
    loss = train_model.train_on_batch([obs, mask], mask * targets[:, None])
    return float(np.asarray(loss).ravel()[0])


# <<< Ende des erzeugten Teils
