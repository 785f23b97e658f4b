"""Breakout aus Pixeln (Lektion 6): Umgebung mit Vorverarbeitung, Nature-CNN, Training mit Checkpoints, Bewertung.

Lektion 6, `scripts/train_breakout.py` (lange Läufe im Hintergrund oder auf einer GPU), die Tests und
`bench/breakout_bench.py` rufen genau diese Funktionen. Die Lernschritte sind die aus Lektion 3–5
(`dqn.learning_step`, `dqn.double_dqn_target`, `dqn.linear_epsilon`); neu sind die Bilder. Die Bausteine,
die Lernende in Lektion 6 schreiben (`push_frame`, `learning_signal`, `build_cnn`), stehen nur dort, in
den `# @save`-Zellen; `python3 workshop.py library` schreibt sie als Text ganz unten in dieses Modul (wie in
`dqn` die aus Lektion 3–5).

Vorverarbeitung wie im Nature-Paper (Mnih et al. 2015), mit Gymnasiums Wrappern:
- `AtariPreprocessing`: Graustufen, 84×84, Frame-Skip 4 mit dem Maximum der letzten zwei Bilder
  (gegen das Flackern der Atari-Grafik), am Spielanfang 1 bis 30 zufällige NOOP-Bilder (vor dem Frame-Skip,
  also Bilder, nicht Agenten-Schritte);
- `AutoFire` (hier): drückt FIRE nach dem Start und nach jedem verlorenen Leben, damit der
  Ball kommt, und meldet `info["life_lost"]`;
- `FrameStack` (hier): die letzten 4 Bilder als Zustand (4, 84, 84) uint8, nachgeschoben mit `push_frame`
  aus Lektion 6 (dieselben Stapel wie Gymnasiums `FrameStackObservation`).
Belohnungen werden zum Lernen auf −1, 0, +1 gestutzt, ein verlorenes Leben gilt beim Lernen als
Episodenende; gezählt und bewertet wird das volle Spiel mit 5 Leben und echten Punkten.
"""

import contextlib
import functools
import json
import os
import shutil
from dataclasses import asdict, fields, replace
from pathlib import Path

import gymnasium as gym
import numpy as np

import course
import dqn
from hyperparameters import Hyperparameters, setting

with course.quiet_tensorflow():  # ohne TensorFlows Log-Zeilen beim Import (dqn hat sie schon geladen)
    import keras

Ringbuffer = course.load_helper("Ringbuffer")  # der Bild-Speicher FrameReplayMemory

ENV_ID = "ALE/Breakout-v5"
FRAME_SHAPE = (84, 84)
HISTORY = 4
FIRE = 1  # Breakouts Aktionen: 0 NOOP, 1 FIRE, 2 RIGHT, 3 LEFT


# --------------------------------------------------------------------------------------
# Umgebung
# --------------------------------------------------------------------------------------
class AutoFire(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Drückt FIRE nach `reset` und nach jedem verlorenen Leben; meldet verlorene Leben in `info["life_lost"]`.

    `RecordConstructorArgs`: `env.spec` kann die Umgebung samt Wrappern neu bauen (das prüft `check_env`)."""

    def __init__(self, env):
        gym.utils.RecordConstructorArgs.__init__(self)
        super().__init__(env)
        meanings = env.unwrapped.get_action_meanings()
        if meanings[FIRE] != "FIRE":
            raise ValueError(f"Aktion {FIRE} ist hier »{meanings[FIRE]}«, nicht FIRE: dieser Wrapper ist für Breakout.")
        self.lives = 0

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        obs, _, terminated, truncated, info = self.env.step(FIRE)
        if terminated or truncated:  # kommt praktisch nie vor, aber dann eben neu
            obs, info = self.env.reset()
        self.lives = info["lives"]
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        info["life_lost"] = info["lives"] < self.lives
        self.lives = info["lives"]
        if info["life_lost"] and not (terminated or truncated):
            obs, extra, terminated, truncated, fire_info = self.env.step(FIRE)
            reward += extra
            info["lives"] = self.lives = fire_info["lives"]
        return obs, reward, terminated, truncated, info


class FrameStack(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Die letzten `history` Bilder als Zustand (history, 84, 84); am Anfang `history` Kopien des ersten Bildes.

    Jeder Schritt schiebt mit `push_frame(stack, frame)` nach, der Funktion aus Lektion 6 (Übung 1).
    """

    def __init__(self, env, history=HISTORY, push_frame=None):
        gym.utils.RecordConstructorArgs.__init__(self, history=history, push_frame=push_frame)
        super().__init__(env)
        self.history = history
        self.push_frame = push_frame or globals()["push_frame"]
        shape = (history, *env.observation_space.shape)
        self.observation_space = gym.spaces.Box(0, 255, shape, np.uint8)
        self.stack = None

    def reset(self, **kwargs):
        frame, info = self.env.reset(**kwargs)
        self.stack = np.repeat(np.asarray(frame)[None], self.history, axis=0)
        return self.stack, info

    def step(self, action):
        frame, reward, terminated, truncated, info = self.env.step(action)
        self.stack = self.push_frame(self.stack, frame)
        return self.stack, reward, terminated, truncated, info


def make_breakout_env(render_mode=None, noop_max=30, history=HISTORY, push_frame=None):
    """Breakout wie im Nature-Paper: Beobachtung (4, 84, 84) uint8, Aktionen NOOP, FIRE, RIGHT, LEFT. Gebaut wird
    es wie jede Umgebung des Workshops mit `dqn.make_env(atari.BREAKOUT_ID, ...)` (wie `atari.MINI_ID`).

    ALE-Version 5 ohne »sticky actions« (repeat_action_probability=0) und ohne eigenen Frame-Skip,
    den übernimmt `AtariPreprocessing`. Ein Spiel endet nach 5 verlorenen Leben oder 108 000 Bildern.
    `push_frame`: die Funktion, die den Bildstapel nachschiebt (ohne Angabe die aus Lektion 6).
    """
    import gymnasium as gym
    from gymnasium.wrappers import AtariPreprocessing

    try:
        import ale_py
    except ImportError:
        raise ImportError(
            "Für Breakout fehlt das Paket ale-py. Richte die Umgebung neu ein: "
            "python3 workshop.py start (installiert alles aus requirements.txt)."
        ) from None
    gym.register_envs(ale_py)
    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # ohne „A.L.E … Powered by Stella“ im Terminal
    env = gym.make(ENV_ID, frameskip=1, repeat_action_probability=0.0, full_action_space=False, render_mode=render_mode)
    env = AtariPreprocessing(
        env,
        noop_max=noop_max,
        frame_skip=4,
        screen_size=FRAME_SHAPE[0],
        terminal_on_life_loss=False,
        grayscale_obs=True,
        scale_obs=False,
    )
    env = AutoFire(env)
    return FrameStack(env, history, push_frame)


BREAKOUT_ID = "Workshop/Breakout-v0"  # Breakout, wie der Agent es sieht: vorverarbeitet, gestapelt
gym.registry.pop(BREAKOUT_ID, None)
gym.register(BREAKOUT_ID, entry_point=make_breakout_env)


# --------------------------------------------------------------------------------------
# Mini-Breakout: die kleine Pixel-Aufgabe für den ersten Akt von Lektion 6
# --------------------------------------------------------------------------------------
MINI_ID = "Workshop/MiniBreakout-v0"
MINI_SIZE = 10
MINI_GREY = {"brick": 85, "paddle": 170, "ball": 255}  # ein Graubild wie bei Atari, Ball zuletzt gezeichnet


class MiniBreakout(gym.Env):
    """Breakout auf 10 × 10 Feldern nach den Regeln von MinAtar Breakout (Young & Tian 2019), in NumPy.

    Drei Reihen Ziegel (Reihe 1–3), der Schläger in der untersten Reihe, ein Ball, der diagonal fliegt und an
    Wänden, Decke, Ziegeln und Schläger abprallt. Jeder Ziegel gibt 1 Punkt; sind alle weg, kommen drei neue
    Reihen. Fällt der Ball am Schläger vorbei, ist die Episode zu Ende (ein Leben). Aktionen: 0 nichts,
    1 links, 2 rechts; mit Wahrscheinlichkeit `sticky_action_prob` wiederholt die Umgebung stattdessen die
    letzte Aktion (»sticky actions« wie im MinAtar-Paper). Beobachtung: ein Graubild (10, 10) uint8, Ziegel 85,
    Schläger 170, Ball 255. Anders als MinAtars Objekt-Kanäle verrät kein Bild die Flugrichtung des Balls:
    Die steckt, wie bei Atari, erst im Bildstapel.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(self, render_mode=None, sticky_action_prob=0.1):
        self.observation_space = gym.spaces.Box(0, 255, (MINI_SIZE, MINI_SIZE), np.uint8)
        self.action_space = gym.spaces.Discrete(3)
        self.render_mode = render_mode
        self.sticky_action_prob = sticky_action_prob

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.bricks = np.zeros((MINI_SIZE, MINI_SIZE), bool)
        self.bricks[1:4] = True
        self.paddle, self.last_action, self.struck = 4, 0, False
        from_left = bool(self.np_random.integers(2))  # Start links oben nach rechts unten oder gespiegelt
        self.ball_x, self.ball_y = (0 if from_left else MINI_SIZE - 1), 3
        self.dx, self.dy = (1 if from_left else -1), 1
        return self._frame(), {}

    def step(self, action):
        action = int(action)
        if self.np_random.random() < self.sticky_action_prob:
            action = self.last_action
        self.last_action = action
        self.paddle = min(max(self.paddle + (0, -1, 1)[action], 0), MINI_SIZE - 1)
        reward, terminated, hit_brick = 0.0, False, False
        x, y = self.ball_x + self.dx, self.ball_y + self.dy
        if not 0 <= x < MINI_SIZE:  # Seitenwand
            x, self.dx = min(max(x, 0), MINI_SIZE - 1), -self.dx
        if y < 0:  # Decke
            y, self.dy = 0, -self.dy
        elif self.bricks[y, x]:
            hit_brick = True
            if not self.struck:  # zwei Ziegel direkt nacheinander: der zweite zählt nicht (wie in MinAtar)
                reward, self.struck = 1.0, True
                self.bricks[y, x] = False
                y, self.dy = self.ball_y, -self.dy
        elif y == MINI_SIZE - 1:  # unterste Reihe: Schläger oder aus
            if not self.bricks.any():
                self.bricks[1:4] = True
            if self.ball_x == self.paddle:  # senkrecht über dem Schläger: zurück nach oben
                y, self.dy = self.ball_y, -self.dy
            elif x == self.paddle:  # auf die Kante: zurück, woher er kam
                y, self.dx, self.dy = self.ball_y, -self.dx, -self.dy
            else:
                terminated = True
        if not hit_brick:
            self.struck = False
        self.ball_x, self.ball_y = x, y
        return self._frame(), reward, terminated, False, {}

    def _frame(self):
        frame = np.where(self.bricks, MINI_GREY["brick"], 0).astype(np.uint8)
        frame[MINI_SIZE - 1, self.paddle] = MINI_GREY["paddle"]
        frame[self.ball_y, self.ball_x] = MINI_GREY["ball"]
        return frame

    def render(self):
        """Ein Farbbild 200 × 200 (jedes Feld 20 × 20 Pixel) für Videos."""
        return np.repeat(np.repeat(self._frame(), 20, axis=0), 20, axis=1)[..., None].repeat(3, axis=2)


def make_mini_env(push_frame=None, history=HISTORY, sticky_action_prob=0.1, render_mode=None):
    """Mini-Breakout mit Bildstapel: Beobachtung (4, 10, 10) uint8, nachgeschoben mit `push_frame`."""
    env = MiniBreakout(render_mode=render_mode, sticky_action_prob=sticky_action_prob)
    return FrameStack(env, history, push_frame)


def register_mini_breakout(push_frame=None):
    """Meldet `Workshop/MiniBreakout-v0` bei Gymnasium an, mit Bildstapel aus `push_frame` (ohne Angabe der aus
    Lektion 6). So trainiert `dqn.train` mit `config.env_id = atari.MINI_ID` und bewertet `dqn.evaluate` mit
    deinem `push_frame`. Ein neuer Aufruf ersetzt die alte Anmeldung. Eine Episode endet spätestens nach
    10 000 Schritten (ein perfekter Agent spielte sonst ewig)."""
    gym.registry.pop(MINI_ID, None)
    gym.register(MINI_ID, entry_point=make_mini_env, kwargs={"push_frame": push_frame}, max_episode_steps=10_000)


register_mini_breakout()


# --------------------------------------------------------------------------------------
# Hyperparameter
# --------------------------------------------------------------------------------------
class AtariConfig(Hyperparameters):
    """Hyperparameter des Breakout-Trainings; Schritte sind Agenten-Schritte (je 4 Bilder). Geprüft wie DQNConfig."""

    total_steps: int = setting(2_000_000, "höchstens so viele Agenten-Schritte insgesamt (8 Mio. Bilder)")
    memory_size: int = setting(0, "Kapazität des Bild-Speichers (0: nach freiem Arbeitsspeicher, höchstens 1 Mio.)")
    learning_starts: int = setting(20_000, "erst so viele Schritte zufällig sammeln, dann lernen")
    batch_size: int = setting(32, "Übergänge pro Lernschritt")
    train_every: int = setting(4, "alle 4 Schritte ein Lernschritt (wie im Nature-Paper)")
    learning_rate: float = setting(1e-4, "Adam")
    gamma: float = setting(0.99, "Diskontierungsfaktor")
    epsilon_start: float = setting(1.0, "ε am Anfang")
    epsilon_end: float = setting(0.01, "ε nach dem Abklingen")
    epsilon_decay_steps: int = setting(250_000, "über so viele Schritte (ab learning_starts) sinkt ε linear")
    target_update_every: int = setting(250, "Target-Netz alle N Lernschritte (= 1000 Agenten-Schritte) kopieren")
    double_dqn: bool = setting(True, "Double-DQN-Ziel (Lektion 5)")
    huber_delta: float = setting(1.0, "Huber-Verlust: quadratisch bis delta, danach linear (stutzt den Fehler)")
    clipnorm: float = setting(10.0, "Norm des Gradienten auf höchstens diesen Wert stutzen")
    checkpoint_every: int = setting(100_000, "alle N Schritte einen Checkpoint schreiben (0: nur am Ende)")
    eval_every: int = setting(250_000, "alle N Schritte kurz bewerten (0: nie)")
    eval_episodes: int = setting(8, "Episoden pro Zwischenbewertung (ε = 0,05, volles Spiel)")

    minimum = dict(Hyperparameters.minimum, memory_size=0, target_update_every=1)  # 0: nach freiem Speicher

    def value_problems(self):
        problems = super().value_problems()
        if self.memory_size and self.memory_size < HISTORY + 2:
            problems.append(f"`memory_size` ({self.memory_size}) muss mindestens {HISTORY + 2} sein.")
        return problems


def bytes_per_transition():
    return Ringbuffer.FrameReplayMemory(HISTORY + 2, FRAME_SHAPE, HISTORY).bytes_per_transition()


def default_memory_size(available_bytes=None, share=0.4, most=1_000_000, least=10_000):
    """Speicherkapazität aus dem freien Arbeitsspeicher: höchstens `share` davon, höchstens 1 Mio. Übergänge."""
    if available_bytes is None:
        available_bytes = Ringbuffer.available_memory_bytes()
    size = int(available_bytes * share / bytes_per_transition())
    return max(least, min(most, size // 1000 * 1000))


# --------------------------------------------------------------------------------------
# Handeln und Bewerten
# --------------------------------------------------------------------------------------
# Das Nature-Paper brach ein Bewertungsspiel nach 5 Minuten ab: 18 000 Bilder = 4 500 Agenten-Schritte
NATURE_EVAL_STEPS = 18_000 // 4


def play(q_model, episodes=30, epsilon=0.05, seed=0, max_parallel=30, max_steps=NATURE_EVAL_STEPS, progress=False):
    """Spielt volle Spiele (5 Leben) ε-gierig, alle gleichzeitig (eine Netz-Abfrage pro Schritt für alle).

    Bewertung wie im Nature-Paper: ε = 0,05, jedes Spiel höchstens 5 Minuten (18 000 Bilder), zufällige
    NOOPs am Anfang, Punkte des ganzen Spiels. Zwei Unterschiede: Unser Wrapper drückt FIRE nach dem Start
    und nach jedem verlorenen Leben (im Paper musste der Agent das selbst tun), und die NOOPs sind 1–30
    Bilder (`AtariPreprocessing`) statt bis zu 30 Agenten-Aktionen. Gibt die Punktzahlen als Array zurück.
    """
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    scores = []
    bar = tqdm(total=episodes, unit="Spiel", disable=not progress)
    while len(scores) < episodes:
        n = min(max_parallel, episodes - len(scores))
        make = functools.partial(dqn.make_env, BREAKOUT_ID)
        totals = dqn.play_episodes(q_model, make, n, seed + len(scores), epsilon, rng, max_steps, bar.update)
        scores.extend(totals.tolist())
    bar.close()
    return np.array(scores)


def record_episode(q_model, seed=0, epsilon=0.05, max_steps=5_000, env_id=BREAKOUT_ID):
    """Ein Spiel zum Anschauen. Gibt ein dict zurück: `frames` (RGB-Bilder), `q_values` (alle Q-Werte je Schritt),
    `q_max` (größter Q-Wert je Schritt), `actions`, `rewards` (Punkte je Schritt), `life_lost` (je Schritt) und
    `score` (Summe der Punkte). `env_id`: ohne Angabe Atari-Breakout wie beim Training, sonst z. B. `atari.MINI_ID`
    (mit dem `push_frame` aus `register_mini_breakout`)."""
    env = dqn.make_env(env_id, render_mode="rgb_array")
    n_actions = int(env.action_space.n)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    frames, q_values, actions, rewards, life_lost = [env.render()], [], [], [], []
    for _ in range(max_steps):
        q = np.asarray(q_model.predict_on_batch(obs[None]))[0]
        q_values.append(q)
        action = int(rng.integers(n_actions)) if rng.random() < epsilon else int(np.argmax(q))
        obs, reward, terminated, truncated, info = env.step(action)
        actions.append(action)
        rewards.append(float(reward))
        life_lost.append(bool(info.get("life_lost", False)))
        frames.append(env.render())
        if terminated or truncated:
            break
    env.close()
    q_values = np.array(q_values).reshape(-1, n_actions)
    return dict(
        frames=frames,
        q_values=q_values,
        q_max=q_values.max(axis=1) if len(q_values) else np.zeros(0),
        actions=np.array(actions),
        rewards=np.array(rewards),
        life_lost=np.array(life_lost),
        score=float(sum(rewards)),
    )


# --------------------------------------------------------------------------------------
# Checkpoints: alles, was ein Training zum Weitermachen braucht, atomar in einem Ordner
# --------------------------------------------------------------------------------------
REPLAY_ARRAYS = ("frames", "actions", "rewards", "terminated", "episode_start", "valid")
REPLAY_SCALARS = ("position", "slots_used", "n_valid", "capacity")


def _state_json(result):
    """Der Stand eines Trainings ohne Netze und Speicher, wie ihn state.json festhält."""
    return dict(
        seed=result.seed,
        steps=result.steps,
        updates=result.updates,
        train_seconds=result.train_seconds,
        scores=list(result.episode_returns),  # Punkte jedes fertigen Spiels (volles Spiel)
        evaluations=[list(e) for e in result.evaluations],  # (Schritt, mittlere Punkte, Trainingssekunden)
        config=asdict(result.config),
        rng_state=result.rng.bit_generator.state if result.rng is not None else {},
        memory_rng_state=result.replay_memory.rng.bit_generator.state if result.replay_memory is not None else {},
        keras_backend=keras.backend.backend(),
        history=list(result.history),  # je Lauf: Start- und Endschritt, Sekunden, Rechner
    )


def save_checkpoint(directory, result):
    """Schreibt ein `dqn.TrainResult` (Netz mit Optimierer, Target-Netz, Speicher, Zufall, Stand) atomar: erst in
    <ordner>.tmp, dann umbenennen. Ein Abbruch mitten im Schreiben lässt den vorigen Checkpoint unversehrt; ein
    weiteres Strg+C wartet, bis er fertig ist."""
    directory = Path(directory)
    memory = result.replay_memory
    refuse_foreign_folder(directory)
    tmp, old = directory.with_name(directory.name + ".tmp"), directory.with_name(directory.name + ".alt")
    with _finish_before_interrupt():
        _remove_own(tmp)
        try:
            tmp.mkdir(parents=True)
            result.train_model.save(tmp / "model.keras")  # mit Optimierer-Zustand
            np.savez(tmp / "target.npz", *result.target_model.get_weights())
            (tmp / "replay").mkdir()
            for name in REPLAY_ARRAYS:
                np.save(tmp / "replay" / f"{name}.npy", getattr(memory, name)[: memory.slots_used])
            course.write_json_atomic(tmp / "replay" / "meta.json", {k: int(getattr(memory, k)) for k in REPLAY_SCALARS})
            course.write_json_atomic(tmp / "state.json", _state_json(result))
        except OSError as error:
            shutil.rmtree(tmp, ignore_errors=True)  # keine halbe Kopie liegen lassen, die den Platz weiter belegt
            raise OSError(
                f"Der Checkpoint ließ sich nicht nach {directory} schreiben ({error.strerror or error}). "
                f"Ist der Datenträger voll? Ein Checkpoint braucht "
                f"etwa {course.german_number(_checkpoint_bytes(memory) / 1e9, 1)} GB. "
                "Der vorige Checkpoint ist unverändert; schaffe Platz und starte dann denselben Befehl "
                "erneut."
            ) from None
        if directory.exists():
            _remove_own(old)
            os.replace(directory, old)
        os.replace(tmp, directory)
        _remove_own(old)


def _checkpoint_bytes(memory):
    return sum(getattr(memory, name)[: memory.slots_used].nbytes for name in REPLAY_ARRAYS) + 30e6


class _finish_before_interrupt:
    """Strg+C während eines Checkpoints bricht ihn nicht ab: erst fertig schreiben, dann unterbrechen."""

    def __enter__(self):
        import signal
        import threading

        self.interrupted, self.previous = False, None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._remember)
        return self

    def _remember(self, signum, frame):
        if not self.interrupted:
            print("Der Checkpoint wird noch geschrieben, gleich geht es weiter …", flush=True)
        self.interrupted = True

    def __exit__(self, exc_type, exc, traceback):
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        if self.interrupted and exc_type is None:
            raise KeyboardInterrupt
        return False


CHECKPOINT_FILES = {"model.keras", "target.npz", "replay", "state.json"}
# Was Betriebssysteme von selbst in einen Ordner legen, den man im Dateimanager ansieht: darf mit ersetzt werden
SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def refuse_foreign_folder(directory):
    """Bricht ab, wenn in `directory` etwas liegt, das nicht zum Checkpoint gehört (Notizen, ein exportierter Agent):
    ein Checkpoint ersetzt seinen Ordner ganz, und fremde Dateien darin gingen verloren. Ein Checkpoint ohne
    state.json gilt nicht als leer."""
    directory = Path(directory)
    if not directory.is_dir():
        return
    entries = sorted(p.name for p in directory.iterdir() if p.name not in SYSTEM_FILES)
    foreign = [name for name in entries if name not in CHECKPOINT_FILES]
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        what = (
            "ist kein Checkpoint, enthält aber Dateien"
            if "state.json" not in entries
            else "enthält neben dem Checkpoint fremde Dateien"
        )
        raise course.InputError(
            f"Der Ordner {directory} {what} ({shown}). Ein Checkpoint ersetzt seinen Ordner ganz; damit nichts "
            "verloren geht, schreibe ich dort nicht hinein. Verschiebe diese Dateien in einen anderen Ordner "
            "und starte denselben Befehl erneut, oder wähle einen neuen oder leeren Ordner."
        )
    if entries and "state.json" not in entries:
        raise course.InputError(
            f"Der Checkpoint in {directory} ist unvollständig: state.json fehlt (da sind nur "
            f"{', '.join(entries)}). Ich fange dort nicht von vorn an und lösche nichts. Hole state.json "
            "aus einer Sicherung, oder benenne den Ordner um und starte neu."
        )


def _remove_own(folder):
    """Löscht einen Zwischenordner des Checkpoints (<ordner>.tmp, <ordner>.alt), aber nur, wenn darin nichts
    Fremdes liegt: Ein eigener Ordner gleichen Namens bleibt unangetastet."""
    if not folder.exists():
        return
    if not folder.is_dir() or any(p.name not in CHECKPOINT_FILES | SYSTEM_FILES for p in folder.iterdir()):
        raise course.InputError(
            f"{folder} ist nicht der Zwischenordner eines Checkpoints, liegt aber dort, wo ich ihn brauche. "
            "Benenne ihn um oder verschiebe ihn, dann starte denselben Befehl erneut."
        )
    shutil.rmtree(folder)


def _checkpoint_dir(directory):
    """Der gültige Checkpoint-Ordner; nach einem Absturz zwischen den zwei Umbenennungen der .alt-Ordner."""
    directory = Path(directory)
    if (directory / "state.json").is_file():
        return directory
    old = directory.with_name(directory.name + ".alt")
    if (old / "state.json").is_file():
        return old
    return None


def checkpoint_config(directory, total_steps=None):
    """Die Einstellungen, mit denen der Checkpoint in `directory` trainiert (aus state.json), wahlweise mit neuem
    `total_steps`: Ein fortgesetztes Training prüft seine Schritte gegen die eigenen Einstellungen, nicht gegen die
    Standardwerte."""
    state = json.loads((_checkpoint_dir(directory) / "state.json").read_text(encoding="utf-8"))
    return _saved_config(state["config"], **({} if total_steps is None else {"total_steps": total_steps}))


def _saved_config(saved, **changes):
    """Die AtariConfig aus einem gespeicherten dict (state.json, Herkunftsdatei), mit `changes`; Felder, die es in
    dieser Fassung nicht mehr gibt, fallen weg."""
    known = {f.name: saved[f.name] for f in fields(AtariConfig) if f.name in saved}
    return AtariConfig(**{**known, **changes})


def has_checkpoint(directory):
    return _checkpoint_dir(directory) is not None


def load_checkpoint(directory, memory_size=None, with_memory=True):
    """Lädt den Checkpoint als `dqn.TrainResult`, mit dem `train(..., resume=result)` weitermacht wie nach einem
    Training im Speicher. `replay_memory` ist None ohne (lesbaren) Speicher. Deutsche Meldungen bei Fehlern."""
    found = _checkpoint_dir(directory)
    if found is None:
        raise FileNotFoundError(
            f"In {directory} liegt kein Checkpoint. Starte ein neues Training "
            "(scripts/train_breakout.py ohne --export) oder prüfe den Pfad."
        )
    try:
        state = json.loads((found / "state.json").read_text(encoding="utf-8"))
        config = _saved_config(state["config"])
        train_model = keras.models.load_model(found / "model.keras")
        # Neu kompilieren, mit dem geladenen Optimierer (sein Zustand bleibt erhalten). Zwei Gründe:
        # - Keras speichert `jit_compile` so, wie es beim Speichern aufgelöst wurde (TensorFlow auf der CPU:
        #   aus). Ein Checkpoint vom Laptop lernte sonst unter JAX ohne jit, auf einer GPU um ein Vielfaches
        #   langsamer. Neu kompiliert wählt Keras passend zu Backend und Rechner.
        # - Die gespeicherte Verlust-Konfiguration vergisst das Huber-`delta` (Keras 3.15); es steht im Stand.
        dqn.compile_train_model(train_model, None, config.huber_delta, optimizer=train_model.optimizer)
        with np.load(found / "target.npz") as data:
            target_weights = [data[f"arr_{i}"] for i in range(len(data.files))]
    except Exception as error:
        raise course.InputError(
            f"Der Checkpoint in {found} ist beschädigt ({type(error).__name__}: {error}). Lösche den Ordner "
            "und beginne neu, oder nimm eine Sicherungskopie; das mitgelieferte Modell liegt in models/breakout.keras."
        ) from None
    memory = None
    replay = found / "replay"
    if with_memory and (replay / "meta.json").is_file():
        try:
            meta = json.loads((replay / "meta.json").read_text(encoding="utf-8"))
            capacity = int(memory_size or meta["capacity"])
            memory = Ringbuffer.FrameReplayMemory(capacity, FRAME_SHAPE, HISTORY, seed=state["seed"])
            if capacity >= meta["slots_used"]:
                for name in REPLAY_ARRAYS:
                    getattr(memory, name)[: meta["slots_used"]] = np.load(replay / f"{name}.npy", mmap_mode="r")
                for name in ("position", "slots_used", "n_valid"):
                    setattr(memory, name, int(meta[name]))
                if capacity > meta["capacity"] and meta["slots_used"] == meta["capacity"]:
                    memory = None  # ein voller Ring lässt sich nicht in einen größeren umfüllen: neu sammeln
            else:
                memory = None
        except Exception as error:
            print(
                f"Der Erfahrungsspeicher im Checkpoint ist unlesbar ({type(error).__name__}); "
                "das Training sammelt ihn neu, Netz und Fortschritt bleiben erhalten."
            )
            memory = None
        if memory is not None and state.get("memory_rng_state"):
            memory.rng.bit_generator.state = state["memory_rng_state"]
    q_model = dqn.q_model_of(train_model)
    target_model = keras.models.clone_model(q_model)
    target_model.set_weights(target_weights)
    rng = np.random.default_rng(state["seed"])
    if state.get("rng_state"):
        rng.bit_generator.state = state["rng_state"]
    return dqn.TrainResult(
        train_model,
        q_model,
        episode_returns=list(state["scores"]),
        evaluations=[tuple(e) for e in state["evaluations"]],
        steps=state["steps"],
        train_seconds=state["train_seconds"],
        target_model=target_model,
        replay_memory=memory,
        updates=state["updates"],
        rng=rng,
        config=config,
        seed=state["seed"],
        history=list(state["history"]),
    )


def checkpoint_from_model(model_path, directory):
    """Legt aus einem exportierten Agenten (models/breakout.keras + .json) einen Checkpoint ohne Speicher an.

    Für den Fall, dass der Checkpoint-Ordner verloren ist: Gewichte und Fortschritt (Schritte, Zeit,
    Bewertungen) kommen aus dem Export, der Optimierer beginnt frisch, und das fortgesetzte Training
    füllt den leeren Erfahrungsspeicher mit dem gelernten Netz. Überschreibt nie einen Checkpoint.
    """
    model_path, directory = Path(model_path), Path(directory)
    if has_checkpoint(directory) or (directory.exists() and any(directory.iterdir())):
        raise FileExistsError(f"{directory} ist nicht leer; wähle einen neuen Ordner für den Checkpoint.")
    provenance = json.loads(model_path.with_suffix(".json").read_text(encoding="utf-8"))
    config = _saved_config(provenance["config"])
    train_model, q_model = dqn.compile_models(build_cnn(4), config.learning_rate, config.huber_delta, config.clipnorm)
    loaded, _ = dqn.load_model(model_path)
    train_model.set_weights(loaded.get_weights())
    # den frischen Optimierer anlegen, sonst meldet Keras beim Laden des Checkpoints »Skipping variable loading«
    train_model.optimizer.build(train_model.trainable_variables)
    result = dqn.TrainResult(
        train_model,
        q_model,
        steps=provenance["agent_steps"],
        updates=provenance["updates"],
        train_seconds=provenance["train_seconds"],
        evaluations=[tuple(e) for e in provenance["training_evaluations"]],
        target_model=q_model,
        replay_memory=Ringbuffer.FrameReplayMemory(HISTORY + 2, FRAME_SHAPE, HISTORY, seed=provenance["seed"]),
        rng=np.random.default_rng(provenance["seed"]),
        config=config,
        seed=provenance["seed"],
        history=list(provenance["runs"]),
    )
    save_checkpoint(directory, result)
    shutil.rmtree(directory / "replay")  # kein Speicher: das Training sammelt ihn mit dem gelernten Netz neu
    result.replay_memory = None
    return result


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------
def train(
    config=None,
    seed=0,
    models=None,
    resume=None,
    live_plot=None,
    logger=None,
    progress=True,
    checkpoint_dir=None,
    on_step=None,
):
    """Trainiert den Breakout-Agenten; gibt ein `dqn.TrainResult` zurück, wie `dqn.train` in Lektion 3–5.

    Die Schleife ist die aus Lektion 3: handeln → Schritt → speichern → ziehen → Ziel → lernen →
    Target nachziehen. `resume=result` macht nach einem Abbruch dort weiter (wie `dqn.train`). Mit
    `checkpoint_dir` schreibt es dazu Checkpoints, und liegt dort schon einer, macht es bei ihm weiter: So
    übersteht das Training auch einen Neustart des Kernels. `on_step(step, epsilon, result)` nach jedem Schritt;
    gibt es True zurück, endet das Training mit Checkpoint (so setzt scripts/train_breakout.py Zeitlimit und
    Logzeilen um). Strg+C / ■ schreibt einen Checkpoint und hört auf.
    """
    lock = contextlib.nullcontext()
    if checkpoint_dir is not None:
        refuse_foreign_folder(checkpoint_dir)  # vor dem Training, nicht erst beim ersten Checkpoint
        lock = CheckpointLock(checkpoint_dir)
    # die Bausteine aus Lektion 6; `dqn.with_parts(atari.train, build_cnn=...)` setzt andere ein
    parts = dict(build_cnn=build_cnn, push_frame=push_frame, learning_signal=learning_signal)
    with lock:
        run = TrainRun(config, seed, models, resume, live_plot, logger, progress, parts, checkpoint_dir, on_step)
        return _loop(run, parts["learning_signal"])


class CheckpointLock:
    """Sperrdatei `<ordner>.lock` mit Prozessnummer und Startzeit des Prozesses: Zwei Trainings in einem
    Checkpoint-Ordner überschrieben sich gegenseitig, und eines verlor seinen Lauf. Die Sperre eines beendeten
    Prozesses wird übernommen, auch wenn seine Nummer inzwischen einem anderen Prozess gehört (andere Startzeit)."""

    def __init__(self, directory):
        directory = Path(directory)
        self.path = directory.with_name(directory.name + ".lock")

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                handle = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                owner = self._owner()
                if owner is not None and _process_alive(*owner):
                    raise RuntimeError(
                        f"In {self.path.with_suffix('')} trainiert schon ein anderer Prozess (Nummer {owner[0]}). "
                        "Zwei Trainings in einem Checkpoint-Ordner würden sich gegenseitig überschreiben. Warte, bis "
                        "es fertig ist, beende es (Strg+C, es schreibt dann seinen Checkpoint), oder nimm einen "
                        f"anderen Ordner. Läuft dort sicher kein Training mehr, lösche die Sperrdatei {self.path}."
                    ) from None
                self.path.unlink(missing_ok=True)  # die Sperre eines beendeten Prozesses
                continue
            with os.fdopen(handle, "w") as f:
                f.write(f"{os.getpid()} {_start_time(os.getpid())}")
            return self

    def _owner(self):
        """(Prozessnummer, Startzeit oder None) aus der Sperrdatei; None, wenn sie unlesbar ist."""
        try:
            parts = self.path.read_text().split()
            return int(parts[0]), (float(parts[1]) if len(parts) > 1 and parts[1] != "None" else None)
        except (OSError, ValueError, IndexError):
            return None

    def __exit__(self, *exc):
        owner = self._owner()
        if owner is not None and owner[0] == os.getpid():
            self.path.unlink(missing_ok=True)
        return False


def _start_time(pid):
    """Wann der Prozess `pid` startete (Sekunden seit 1970), oder None, wenn psutil fehlt oder er nicht läuft."""
    try:
        import psutil

        return psutil.Process(pid).create_time()
    except Exception:
        return None


def _process_alive(pid, started=None):
    """Läuft der Prozess, der die Sperre schrieb? Mit Startzeit: nur, wenn die Nummer noch demselben Prozess gehört."""
    try:
        import psutil
    except ImportError:
        if os.name == "nt":
            return True  # im Zweifel gesperrt lassen; unter Windows hieße os.kill(pid, 0) „beenden“
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if not psutil.pid_exists(pid):
        return False
    now = _start_time(pid)
    return started is None or now is None or abs(now - started) < 1.0


class TrainRun(dqn.TrainRun):
    """`dqn.TrainRun` für Breakout: Bild-Speicher, das eigene CNN aus Lektion 6, Bewertung mit vollen Spielen und
    Checkpoints. So bleibt die Schleife in `_loop` die aus Lektion 3."""

    report_name = "punkte"
    vector_only = False  # Bilder: das CNN aus `build_cnn`

    def __init__(self, config, seed, models, resume, live_plot, logger, progress, parts, checkpoint_dir, on_step):
        config = config or AtariConfig()
        self.parts, self.checkpoint_dir, self.on_step = parts, checkpoint_dir, on_step
        if resume is None and checkpoint_dir is not None and has_checkpoint(checkpoint_dir):
            resume = load_checkpoint(checkpoint_dir, config.memory_size)
            # die gespeicherten Einstellungen; nur mehr Schritte darf ein neuer Aufruf verlangen
            config = replace(resume.config, total_steps=max(config.total_steps, resume.config.total_steps))
            print(
                f"Setze fort bei Schritt {resume.steps} aus {checkpoint_dir} "
                f"({'mit' if resume.replay_memory is not None else 'ohne'} Erfahrungsspeicher)."
            )
        memory = resume.replay_memory if resume is not None else None
        config = replace(config, memory_size=memory.capacity if memory else config.memory_size or default_memory_size())
        super().__init__(config, seed, models, resume, live_plot, logger, progress)

    def _env_name(self):
        return BREAKOUT_ID

    def _make_env(self):
        return dqn.make_env(BREAKOUT_ID, push_frame=self.parts["push_frame"])

    def _build_models(self, obs_shape):
        config = self.config
        train_model = self.parts["build_cnn"](self.n_actions)
        return dqn.compile_models(train_model, config.learning_rate, config.huber_delta, config.clipnorm)

    def _new_memory(self, obs_shape, start_step):
        return Ringbuffer.FrameReplayMemory(self.config.memory_size, FRAME_SHAPE, HISTORY, seed=self.seed + start_step)

    def _evaluate(self, step):
        config = self.config
        mean = round(float(play(self.online_copy, config.eval_episodes, seed=50_000 + step).mean()), 2)
        self.bar.write(
            f"Schritt {step}: Bewertung {course.german_number(mean, 1)} "
            f"Punkte im Mittel ({config.eval_episodes} Spiele)"
        )
        return mean

    def _solved(self, mean):
        return False  # Breakout hat kein Ziel, bei dem es aufhört

    def after_step(self, step, epsilon):
        """Alle `eval_every` Schritte bewerten, alle `checkpoint_every` Schritte ein Checkpoint, dann `on_step`.
        True: das Training endet (mit Checkpoint)."""
        config = self.config
        self.evaluate_if_due(step)
        if config.checkpoint_every and step % config.checkpoint_every == 0 and step < config.total_steps:
            with self.paused():
                self.checkpoint()
        return bool(self.on_step is not None and self.on_step(step, epsilon, self.result))

    def checkpoint(self, final=False):
        if self.checkpoint_dir is None:
            return
        if final:
            print(
                f"Schreibe den Checkpoint nach {self.checkpoint_dir} (bei vollem Speicher einige Sekunden) …",
                flush=True,
            )
        # ein Zwischen-Checkpoint nennt den laufenden Lauf schon in der Herkunft (bis hierher), sonst fehlte er
        # nach einem Absturz; der letzte Checkpoint hat ihn schon in `history`
        saved = self.result if final else replace(self.result, history=[*self.result.history, self.entry()])
        try:
            save_checkpoint(self.checkpoint_dir, saved)
        except KeyboardInterrupt:
            if not final:  # erst nach dem fertigen Checkpoint: das Training endet wie bei jedem Strg+C
                raise

    def _finish(self):
        super()._finish()
        self.checkpoint(final=True)

    def _interrupt_message(self):
        where = (
            f": der Checkpoint liegt in {self.checkpoint_dir}; derselbe Aufruf macht dort weiter."
            if self.checkpoint_dir
            else ": `result = train(config, resume=result)` macht genau hier weiter."
        )
        return f"Training nach {self.result.steps} Schritten unterbrochen. Nichts ist verloren{where}"


def _loop(run, learning_signal):
    config, memory, obs = run.config, run.replay_memory, run.obs
    with run:  # fängt Strg+C ab, schreibt den letzten Checkpoint und schließt Umgebung und Anzeigen
        for step in run.steps():
            # 1. handeln, ε-greedy wie in Lektion 3 (ε fällt ab learning_starts). Füllt ein fortgesetztes Training
            #    einen leeren Speicher neu, spielt dabei schon das gelernte Netz: so landen Spielstände wie die
            #    späteren darin, nicht nur die Anfänge zufälliger Spiele.
            epsilon = dqn.linear_epsilon(
                step, config.learning_starts, config.epsilon_decay_steps, config.epsilon_start, config.epsilon_end
            )
            action = dqn.epsilon_greedy_action(run.online_copy, obs, epsilon, run.n_actions, run.rng)
            # 2. Schritt
            next_obs, reward, terminated, truncated, info = run.env.step(action)
            # 3. speichern: Belohnung gestutzt, verlorenes Leben = Ende für das Lernen, Bilder laufen weiter
            clipped_reward, learning_end = learning_signal(reward, terminated, info["life_lost"])
            memory.add(
                obs, action, clipped_reward, next_obs, learning_end, truncated, episode_over=terminated or truncated
            )
            obs = run.continue_episode(next_obs, reward, terminated or truncated, epsilon)  # zählt volle Spiele
            # 4.–6. ziehen, Ziel, lernen; 7. Target nachziehen
            if step > run.learning_starts and step % config.train_every == 0:
                loss = dqn.learning_step(run.train_model, run.target_model, memory, config, run.online_copy)
                run.learned(loss)
                if run.updates % config.target_update_every == 0:
                    dqn.update_target(run.target_model, run.online_copy, 1.0)
            if run.after_step(step, epsilon):
                break
    return run.result


# --------------------------------------------------------------------------------------
# Die Bausteine aus Lektion 6: Bildstapel, Lernsignal, Nature-CNN (`# @save`-Zellen der Lektion)
# --------------------------------------------------------------------------------------


# >>> erzeugt von `python3 workshop.py library` aus den `# @save`-Zellen; hier nichts ändern
# --- notebooks/06_Breakout_aus_Pixeln.ipynb, Zelle 8 ---
def push_frame(stack, frame):
    """Neuer Bildstapel: ältestes Bild raus, `frame` hinten rein. (k, H, W), (H, W) -> (k, H, W)."""
    return np.concatenate([stack[1:], frame[None]], axis=0)


# --- notebooks/06_Breakout_aus_Pixeln.ipynb, Zelle 11 ---
def build_small_cnn(n_actions=3):
    """Mini-Breakout-CNN [obs (B, 4, 10, 10) uint8, action_mask (B, n_actions)] -> Q-Werte × Maske (B, n_actions)."""
    obs = keras.Input((4, 10, 10), name="obs", dtype="uint8")
    action_mask = keras.Input((n_actions,), name="action_mask")
    x = keras.layers.Rescaling(1.0 / 255, name="scale")(obs)
    x = keras.layers.Permute((2, 3, 1), name="channels_last")(x)  # (4, 10, 10) -> (10, 10, 4)
    x = keras.layers.Conv2D(16, 3, activation="relu", name="conv")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(128, activation="relu", name="dense")(x)
    q_values = keras.layers.Dense(n_actions, name="q_values")(x)
    masked_q = keras.layers.Multiply(name="masked_q")([q_values, action_mask])
    return keras.Model([obs, action_mask], masked_q, name="mini_dqn")


# --- notebooks/06_Breakout_aus_Pixeln.ipynb, Zelle 27 ---
def learning_signal(reward, terminated, life_lost):
    """(sign(reward) als float, terminated oder life_lost)."""
    return float(np.sign(reward)), bool(terminated or life_lost)


# --- notebooks/06_Breakout_aus_Pixeln.ipynb, Zelle 32 ---
def build_cnn(n_actions=4):
    """Nature-CNN [obs (B, 4, 84, 84) uint8, action_mask (B, n_actions)] -> Q-Werte × Maske (B, n_actions)."""
    obs = keras.Input((4, 84, 84), name="obs", dtype="uint8")
    action_mask = keras.Input((n_actions,), name="action_mask")
    x = keras.layers.Rescaling(1.0 / 255, name="scale")(obs)
    x = keras.layers.Permute((2, 3, 1), name="channels_last")(x)  # (4, 84, 84) -> (84, 84, 4)
    x = keras.layers.Conv2D(32, 8, strides=4, activation="relu", name="conv_1")(x)
    x = keras.layers.Conv2D(64, 4, strides=2, activation="relu", name="conv_2")(x)
    x = keras.layers.Conv2D(64, 3, strides=1, activation="relu", name="conv_3")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(512, activation="relu", name="dense")(x)
    q_values = keras.layers.Dense(n_actions, name="q_values")(x)
    masked_q = keras.layers.Multiply(name="masked_q")([q_values, action_mask])
    return keras.Model([obs, action_mask], masked_q, name="nature_dqn")


# <<< Ende des erzeugten Teils
