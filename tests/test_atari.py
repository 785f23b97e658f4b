"""Breakout-Bausteine (atari.py, scripts/train_breakout.py): Umgebung, Netz, Speicher, Checkpoints, Fortsetzen."""

import json
import subprocess
import sys

import numpy as np
import pytest

import atari
import course
import dqn
import Ringbuffer

TINY = dict(
    total_steps=120, memory_size=500, learning_starts=40, checkpoint_every=0, eval_every=0, target_update_every=5
)


def test_env_is_the_nature_preprocessing():
    env = dqn.make_env(atari.BREAKOUT_ID)
    obs, info = env.reset(seed=0)
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    assert env.action_space.n == 4 and info["lives"] == 5
    starts = {env.reset(seed=s)[1]["episode_frame_number"] for s in range(6)}
    assert len(starts) > 1, "No-op-Starts: verschiedene Seeds sollten verschieden spät beginnen"
    rng = np.random.default_rng(0)
    lost, total = 0, 0.0
    for _ in range(3_000):
        obs, reward, terminated, truncated, info = env.step(int(rng.integers(4)))
        lost += info["life_lost"]
        total += reward
        if terminated:
            break
    assert terminated and lost == 5 and info["lives"] == 0, "ein Spiel endet nach 5 verlorenen Bällen"
    env.close()


def test_frame_stack_with_the_lessons_push_frame_equals_gymnasiums():
    """`atari.FrameStack` schiebt mit `push_frame` aus Lektion 6 nach; die Zustände sind die von
    `FrameStackObservation`, mit dem der mitgelieferte Agent begann (auch über Spielenden hinweg)."""
    import ale_py
    import gymnasium as gym
    from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

    gym.register_envs(ale_py)
    theirs = gym.make(atari.ENV_ID, frameskip=1, repeat_action_probability=0.0, full_action_space=False)
    theirs = AtariPreprocessing(
        theirs,
        noop_max=30,
        frame_skip=4,
        screen_size=84,
        terminal_on_life_loss=False,
        grayscale_obs=True,
        scale_obs=False,
    )
    theirs = FrameStackObservation(atari.AutoFire(theirs), atari.HISTORY)
    ours = dqn.make_env(atari.BREAKOUT_ID)
    assert ours.observation_space == theirs.observation_space
    rng = np.random.default_rng(0)
    assert np.array_equal(ours.reset(seed=5)[0], theirs.reset(seed=5)[0])
    episodes_ended = 0
    for t in range(2_500):
        action = int(rng.integers(4))
        mine, other = ours.step(action), theirs.step(action)
        assert np.array_equal(mine[0], other[0]) and mine[1:4] == other[1:4], t
        if mine[2] or mine[3]:
            episodes_ended += 1
            assert np.array_equal(ours.reset(seed=t)[0], theirs.reset(seed=t)[0])
    assert episodes_ended >= 2
    # ein falsches push_frame (schiebt nicht nach) ändert die Zustände
    stuck = dqn.make_env(atari.BREAKOUT_ID, push_frame=lambda stack, frame: stack)
    first = stuck.reset(seed=5)[0]
    assert all(np.array_equal(stuck.step(1)[0], first) for _ in range(20))


def test_nature_cnn_has_the_papers_shape():
    train_model, q_model = dqn.compile_models(atari.build_cnn(4), 1e-4)
    assert q_model.count_params() == 1_686_180
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in q_model.layers}
    assert shapes["conv_1"] == (20, 20, 32) and shapes["conv_2"] == (9, 9, 64) and shapes["conv_3"] == (7, 7, 64)
    q = q_model.predict_on_batch(np.zeros((2, 4, 84, 84), np.uint8))
    assert q.shape == (2, 4)


def test_frame_memory_keeps_frames_running_after_a_lost_life():
    memory = Ringbuffer.FrameReplayMemory(20, frame_shape=(1, 1), history_length=4, seed=0)

    def stack(*values):
        return np.array(values, dtype=np.uint8).reshape(4, 1, 1)

    memory.add(stack(1, 1, 1, 1), 0, 0.0, stack(1, 1, 1, 2), False)
    memory.add(stack(1, 1, 1, 2), 0, 0.0, stack(1, 1, 2, 3), True, episode_over=False)  # Ball verloren
    memory.add(stack(1, 1, 2, 3), 0, 1.0, stack(1, 2, 3, 4), False)
    batches = [memory.sample(3) for _ in range(20)]
    obs, rewards, terminated = (np.concatenate([b[i] for b in batches]) for i in (0, 2, 4))
    after_life = obs[rewards == 1.0]
    assert len(after_life) and (after_life[0, :, 0, 0] == [1, 1, 2, 3]).all(), (
        "Stapel läuft nach dem Lebensverlust weiter"
    )
    assert terminated[rewards == 0.0].any()


def test_default_memory_size_follows_ram():
    per = atari.bytes_per_transition()
    assert per <= 7_200, "Ziel: höchstens 7,2 KB pro Übergang"
    assert atari.default_memory_size(available_bytes=10e9) == int(10e9 * 0.4 / per) // 1000 * 1000
    assert atari.default_memory_size(available_bytes=100e9) == 1_000_000
    assert atari.default_memory_size(available_bytes=1e6) == 10_000


def test_bad_hyperparameters_get_a_german_message():
    with pytest.raises(ValueError, match="learning_starts"):
        atari.AtariConfig(learning_starts=10, batch_size=32)
    with pytest.raises(ValueError, match="gamma"):
        atari.AtariConfig(gamma=1.5)


def test_training_learns_checkpoints_and_resumes(tmp_path):
    folder = tmp_path / "ckpt"
    config = atari.AtariConfig(**TINY)
    state = atari.train(config, checkpoint_dir=folder, seed=1, progress=False)
    assert isinstance(state, dqn.TrainResult), "dasselbe Ergebnis wie dqn.train"
    before = [w.copy() for w in state.q_model.get_weights()]
    assert state.steps == 120 and state.updates == (120 - 40) // 4
    saved = json.loads((folder / "state.json").read_text())
    assert saved["steps"] == 120 and (folder / "replay" / "frames.npy").is_file()
    fresh = dqn.q_model_of(atari.build_cnn(4))
    assert any(not np.allclose(a, b) for a, b in zip(before, fresh.get_weights()))

    loaded = atari.load_checkpoint(folder)
    assert int(loaded.train_model.optimizer.iterations.numpy()) == state.updates, "Optimierer-Zustand mitgespeichert"
    assert loaded.replay_memory is not None and len(loaded.replay_memory) > 100
    assert loaded.episode_returns == state.episode_returns and loaded.steps == state.steps

    bigger = atari.AtariConfig(**{**TINY, "total_steps": 160})
    state = atari.train(bigger, checkpoint_dir=folder, seed=1, progress=False)
    assert state.steps == 160 and state.updates == (160 - 40) // 4, "setzt fort statt neu zu beginnen"
    assert [h["to_step"] for h in state.history] == [120, 160]
    assert any(not np.allclose(a, b) for a, b in zip(before, state.q_model.get_weights()))


def test_resume_in_memory_works_as_in_lesson_3():
    """#36: `resume=result` setzt fort wie bei dqn.train, ohne Checkpoint-Ordner, mit Speicher und Zufallszustand."""
    first = atari.train(atari.AtariConfig(**TINY), seed=4, progress=False)
    assert first.history[-1]["to_step"] == 120 and first.seed == 4
    more = atari.train(atari.AtariConfig(**{**TINY, "total_steps": 160}), progress=False, resume=first)
    assert more is first and more.steps == 160 and more.updates == (160 - 40) // 4
    assert [h["to_step"] for h in more.history] == [120, 160]


def test_interrupt_writes_checkpoint_and_loses_nothing(tmp_path):
    class Interrupt:
        """Ein LivePlot-Ersatz, der beim dritten Spiel Strg+C drückt."""

        def __init__(self):
            self.games = 0

        def add(self, score):
            self.games += 1
            if self.games == 3:
                raise KeyboardInterrupt

        def finalise(self):
            pass

    folder = tmp_path / "ckpt"
    config = atari.AtariConfig(**{**TINY, "total_steps": 5_000})
    state = atari.train(config, checkpoint_dir=folder, seed=2, progress=False, live_plot=Interrupt())
    assert 0 < state.steps < 5_000 and len(state.episode_returns) == 3 and state.interrupted
    saved = json.loads((folder / "state.json").read_text())
    assert saved["steps"] == state.steps


def test_checkpoint_from_another_machine_trains_as_a_fresh_model_would(tmp_path):
    """Ein Checkpoint vom Laptop (TensorFlow, jit aus) lernte unter JAX auf einer GPU ohne jit, etwa 17-mal
    langsamer; und Keras vergisst beim Speichern das Huber-delta. Nach dem Laden gilt, was hier frisch gälte."""

    config = atari.AtariConfig(**{**TINY, "huber_delta": 2.0})
    train_model, q_model = dqn.compile_models(atari.build_cnn(4), 1e-4, huber_delta=2.0)
    memory = Ringbuffer.FrameReplayMemory(100, atari.FRAME_SHAPE, atari.HISTORY)
    obs = np.zeros((4, 84, 84), np.uint8)
    for i in range(40):
        memory.add(obs, i % 4, 0.0, obs, False, False, episode_over=False)
    batch = memory.sample(8)
    mask = dqn.one_hot(batch[1], 4)
    train_model.train_on_batch([batch[0], mask], mask)
    # so, wie ein anderer Rechner es gespeichert hätte (Keras speichert den Wert aus `compile`)
    train_model.compile(optimizer=train_model.optimizer, loss=train_model.loss, jit_compile=not train_model.jit_compile)
    folder = tmp_path / "ckpt"
    result = dqn.TrainResult(train_model, q_model, target_model=q_model, replay_memory=memory, config=config)
    atari.save_checkpoint(folder, result)

    loaded = atari.load_checkpoint(folder, with_memory=False).train_model
    assert loaded.jit_compile == dqn.compile_models(atari.build_cnn(4), 1e-4)[0].jit_compile
    assert int(loaded.optimizer.iterations.numpy()) == 1, "Optimierer-Zustand bleibt beim Neu-Kompilieren"
    # Fehler 3 mit delta 2: 2·3 − 2²/2 = 4 (mit dem vergessenen delta 1 wären es 2,5)
    assert float(loaded.loss(np.array([[3.0]]), np.array([[0.0]]))) == pytest.approx(4.0)


def test_corrupt_or_missing_checkpoint_gives_german_advice(tmp_path):
    with pytest.raises(FileNotFoundError, match="kein Checkpoint"):
        atari.load_checkpoint(tmp_path / "gibt-es-nicht")
    folder = tmp_path / "kaputt"
    folder.mkdir()
    (folder / "state.json").write_text("{}")
    (folder / "model.keras").write_bytes(b"kein zip")
    with pytest.raises(ValueError, match="beschädigt.*Lösche den Ordner"):
        atari.load_checkpoint(folder)


def test_half_written_checkpoint_falls_back_to_the_previous_one(tmp_path):
    folder = tmp_path / "ckpt"
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=3, progress=False)
    # Absturz zwischen den beiden Umbenennungen: der alte Checkpoint heißt noch .alt, der neue fehlt
    folder.rename(tmp_path / "ckpt.alt")
    assert atari.has_checkpoint(folder)
    assert atari.load_checkpoint(folder, with_memory=False).steps == 120


def test_cli_trains_exports_and_the_export_loads(tmp_path):
    folder, out = tmp_path / "ckpt", tmp_path / "breakout"
    sets = [f"--set={k}={json.dumps(v)}" for k, v in TINY.items() if k != "total_steps"]
    run = [
        sys.executable,
        str(course.ROOT / "scripts/train_breakout.py"),
        "--checkpoint-dir",
        str(folder),
        "--steps",
        "100",
        *sets,
    ]
    done = subprocess.run(run, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Stand: 100 Schritte" in done.stdout
    done = subprocess.run(
        [
            sys.executable,
            str(course.ROOT / "scripts/train_breakout.py"),
            "--checkpoint-dir",
            str(folder),
            "--export",
            "--games",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    provenance = json.loads(out.with_suffix(".json").read_text())
    assert provenance["agent_steps"] == 100 and provenance["evaluation"]["episodes"] == 2
    assert "höchstens 5 Minuten (18 000 Bilder)" in provenance["evaluation"]["protocol"]
    q_model, provenance, about = dqn.load_shipped(out.with_suffix(".keras"), env_id=atari.BREAKOUT_ID)
    assert about.startswith("Mitgeliefertes Modell: 100 Schritte")
    assert q_model.count_params() == 1_686_180
    # ohne Checkpoint beim Export weitermachen (scripts/train_breakout.py --from-model): Gewichte und Stand übernehmen
    fresh = tmp_path / "neu"
    with pytest.raises(FileExistsError):
        atari.checkpoint_from_model(out.with_suffix(".keras"), folder)
    state = atari.checkpoint_from_model(out.with_suffix(".keras"), fresh)
    assert state.steps == 100 and not (fresh / "replay").exists()
    loaded = atari.load_checkpoint(fresh)
    assert loaded.replay_memory is None
    np.testing.assert_allclose(loaded.train_model.get_weights()[0], q_model.get_weights()[0])
    resumed = atari.train(atari.AtariConfig(**{**TINY, "total_steps": 150}), checkpoint_dir=fresh, progress=False)
    assert resumed.steps == 150 and len(resumed.history) == 2


def test_cli_resume_keeps_the_checkpoints_settings(tmp_path):
    """#35: `--steps` beim Fortsetzen eines kurzen Checkpoints wurde gegen das Standard-`learning_starts` (20 000)
    geprüft und abgewiesen; `--set learning_rate=0.5` beim Fortsetzen wurde still übergangen."""
    folder = tmp_path / "ckpt"
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    script = [sys.executable, str(course.ROOT / "scripts/train_breakout.py"), "--checkpoint-dir", str(folder)]
    done = subprocess.run([*script, "--steps", "160"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "Stand: 160 Schritte" in done.stdout, done.stderr[-2000:]
    done = subprocess.run([*script, "--set", "learning_rate=0.5"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and "--set ändert nur ein neues Training" in done.stderr, done.stderr[-2000:]
    assert json.loads((folder / "state.json").read_text())["steps"] == 160


def test_shipped_agent_has_provenance_and_plays():
    q_model, provenance, _ = dqn.load_shipped("breakout", env_id=atari.BREAKOUT_ID)
    assert provenance["agent_steps"] > 0 and provenance["evaluation"]["episodes"] >= 30
    for key in ("frames", "train_seconds", "machine", "keras_backend", "versions", "config"):
        assert key in provenance, key
    # 1500 Agenten-Schritte je Spiel: Der mitgelieferte Agent holt darin weit mehr als der Zufall (gemessen: 31 und
    # 187, im Mittel 109, gegen 2 und 7 mit ε = 1); die Schwellen 40 (Mittel) und 15 liegen dazwischen. Ein einzelnes
    # Spiel kann mit ε = 0,05 früh enden, darum das Mittel (der vorige Agent: 128 und 91)
    scores = atari.play(q_model, episodes=2, seed=5, max_steps=1_500)
    assert scores.shape == (2,) and scores.mean() >= 40, scores
    random_scores = atari.play(q_model, episodes=2, seed=5, epsilon=1.0, max_steps=1_500)
    assert random_scores.max() <= 15, random_scores


def test_foreign_folder_is_never_wiped(tmp_path):
    """#18/1: ein vorhandener Ordner, der kein Checkpoint ist, bleibt unangetastet (vorher: gelöscht)."""
    notes = tmp_path / "notizen"
    (notes / "sub").mkdir(parents=True)
    (notes / "wichtig.txt").write_text("notiz")
    with pytest.raises(ValueError, match="kein Checkpoint.*neuen oder leeren Ordner"):
        atari.train(atari.AtariConfig(**TINY), checkpoint_dir=notes, seed=0, progress=False)
    assert (notes / "wichtig.txt").read_text() == "notiz" and (notes / "sub").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notizen"]


def test_checkpoint_never_deletes_its_neighbours(tmp_path):
    """#35: Notizen oder ein exportierter Agent neben dem Checkpoint gingen beim nächsten Checkpoint verloren."""
    folder = tmp_path / "ck"
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    (folder / "NOTIZEN.txt").write_text("wichtig")
    (folder / "mein_agent.keras").write_bytes(b"agent")
    before = sorted(p.name for p in folder.iterdir())
    longer = dict(TINY, total_steps=TINY["total_steps"] * 2)
    with pytest.raises(ValueError, match=r"fremde Dateien \(NOTIZEN.txt, mein_agent.keras\).*Verschiebe"):
        atari.train(atari.AtariConfig(**longer), checkpoint_dir=folder, seed=0, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (folder / "NOTIZEN.txt").read_text() == "wichtig"
    # ein eigener Ordner, der zufällig wie der Zwischenordner heißt, bleibt auch
    (folder / "NOTIZEN.txt").unlink()
    (folder / "mein_agent.keras").unlink()
    (tmp_path / "ck.tmp").mkdir()
    (tmp_path / "ck.tmp" / "foto.png").write_bytes(b"png")
    with pytest.raises(ValueError, match="ck.tmp ist nicht der Zwischenordner"):
        atari.train(atari.AtariConfig(**longer), checkpoint_dir=folder, seed=0, progress=False)
    assert (tmp_path / "ck.tmp" / "foto.png").read_bytes() == b"png"
    # macOS legt .DS_Store an, wenn man den Ordner im Finder ansieht: kein Grund, das Training zu verweigern
    (tmp_path / "ck.tmp" / "foto.png").unlink()
    (tmp_path / "ck.tmp").rmdir()
    (folder / ".DS_Store").write_bytes(b"")
    state = atari.train(atari.AtariConfig(**longer), checkpoint_dir=folder, seed=0, progress=False)
    assert state.steps == longer["total_steps"]


def test_export_into_the_checkpoint_folder_is_refused(tmp_path):
    """#35: `--out` im Checkpoint-Ordner legte den Agenten dorthin, wo der nächste Checkpoint ihn löschte."""
    folder = tmp_path / "ck"
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    before = sorted(p.name for p in folder.iterdir())
    script = course.ROOT / "scripts" / "train_breakout.py"
    run = [sys.executable, str(script), "--export", "--checkpoint-dir", str(folder), "--out", str(folder / "agent")]
    out = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 2 and "liegt im Checkpoint-Ordner" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and sorted(p.name for p in folder.iterdir()) == before


def test_checkpoint_without_state_is_not_restarted_from_zero(tmp_path):
    """#18/1: fehlt state.json, fängt das Training nicht still bei 0 an und überschreibt den Rest."""
    folder = tmp_path / "ckpt"
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    (folder / "state.json").unlink()
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(ValueError, match="unvollständig: state.json fehlt"):
        atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_second_training_in_the_same_folder_is_refused(tmp_path):
    """#18/3: zwei Trainings in einem Checkpoint-Ordner; eines starb mit FileNotFoundError und verlor seinen Lauf."""
    import os

    folder = tmp_path / "ckpt"
    lock = tmp_path / "ckpt.lock"
    lock.write_text(str(os.getppid()))  # ein lebender Prozess hält die Sperre
    with pytest.raises(RuntimeError, match="trainiert schon ein anderer Prozess"):
        atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    assert lock.read_text() == str(os.getppid()) and not folder.exists()
    lock.write_text("999999999")  # Sperre eines beendeten Prozesses: wird übernommen und am Ende freigegeben
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    assert atari.has_checkpoint(folder) and not lock.exists()


def test_a_stale_lock_whose_number_now_belongs_to_another_process_is_taken_over(tmp_path):
    """#35: Die Nummer eines beendeten Trainings gehörte später einem anderen Prozess; die Sperre hielt für immer."""
    import os

    folder, lock = tmp_path / "ckpt", tmp_path / "ckpt.lock"
    started = atari._start_time(os.getppid())
    lock.write_text(f"{os.getppid()} {started}")  # derselbe lebende Prozess: gesperrt, und die Meldung nennt die Datei
    with pytest.raises(RuntimeError, match=f"lösche die Sperrdatei {lock}"):
        atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    lock.write_text(f"{os.getppid()} {started - 3600}")  # dieselbe Nummer, aber ein anderer (späterer) Prozess
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    assert atari.has_checkpoint(folder) and not lock.exists()


def test_ctrl_c_during_the_checkpoint_waits_until_it_is_written(tmp_path, monkeypatch):
    """#18/4: ein zweites Strg+C während des Speicherns verlor den Lauf und ließ einen .tmp-Ordner liegen."""
    import os
    import signal

    folder = tmp_path / "ckpt"
    real_save = np.save
    fired = []

    def save_and_press_ctrl_c(*args, **kwargs):
        if not fired:
            fired.append(True)
            os.kill(os.getpid(), signal.SIGINT)  # Strg+C mitten im Schreiben des letzten Checkpoints
        return real_save(*args, **kwargs)

    monkeypatch.setattr(atari.np, "save", save_and_press_ctrl_c)
    state = atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)
    assert fired and state.steps == 120
    assert atari.load_checkpoint(folder, with_memory=False).steps == 120
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"], "kein .tmp, kein .alt, keine Sperre übrig"


def test_full_disk_leaves_no_litter_and_the_old_checkpoint(tmp_path, monkeypatch):
    """#18/5: ein voller Datenträger ließ .tmp liegen (hielt ihn voll) und meldete ein rohes OSError."""
    import errno

    folder = tmp_path / "ckpt"
    atari.train(atari.AtariConfig(**TINY), checkpoint_dir=folder, seed=0, progress=False)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atari.np, "save", disk_full)
    with pytest.raises(OSError, match="Ist der Datenträger voll\\?.*vorige Checkpoint ist unverändert"):
        atari.train(atari.AtariConfig(**{**TINY, "total_steps": 160}), checkpoint_dir=folder, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]
    assert atari.load_checkpoint(folder, with_memory=False).steps == 120


def test_periodic_checkpoint_names_the_running_run_in_its_history(tmp_path, monkeypatch):
    """Ein Zwischen-Checkpoint (z. B. nach einem Absturz der einzige) nennt den laufenden Lauf in der Herkunft."""
    saved = []
    real_save = atari.save_checkpoint
    monkeypatch.setattr(
        atari,
        "save_checkpoint",
        lambda directory, result: saved.append(list(result.history)) or real_save(directory, result),
    )
    state = atari.train(
        atari.AtariConfig(**{**TINY, "checkpoint_every": 50}), checkpoint_dir=tmp_path / "c", seed=0, progress=False
    )
    assert [run["to_step"] for run in saved[0]] == [50] and [run["to_step"] for run in saved[1]] == [100]
    assert [run["to_step"] for run in saved[-1]] == [120] == [run["to_step"] for run in state.history]


@pytest.mark.parametrize(
    "name",
    ["breakout", "Workshop/MiniBreakout-v0", "Workshop/MaxBias-v0", "CartPole-v1", "Acrobot-v1", "LunarLander-v3"],
)
def test_gymnasiums_checker_accepts_every_environment_the_workshop_makes(name):
    """#39: `gymnasium.utils.env_checker.check_env` nimmt jede Umgebung des Workshops an; für Breakout heißt das
    auch, dass `env.spec` die Wrapper (AutoFire, FrameStack) neu bauen kann (RecordConstructorArgs)."""
    import warnings

    from gymnasium.utils.env_checker import check_env

    import dqn
    import experiments

    if name == "breakout":
        env = dqn.make_env(atari.BREAKOUT_ID)
    else:
        experiments.register_max_bias_env()
        env = dqn.make_env(name)
    try:
        with warnings.catch_warnings():
            if name.startswith(("breakout", "Workshop/")):  # unsere: auch ohne Warnung (Gymnasiums eigene warnen)
                warnings.simplefilter("error")
            warnings.filterwarnings("ignore", message=".*different from the unwrapped.*")  # wir prüfen mit Wrappern
            warnings.filterwarnings("ignore", message=".*infinity.*")  # CartPoles Raum (Gymnasium), nicht unserer
            check_env(env, skip_render_check=True)
    finally:
        env.close()


def test_mini_breakout_follows_the_rules_of_minatar_breakout():
    """#39: Mini-Breakout (Lektion 6, Akt 1) nach den Regeln von MinAtar Breakout: Start in Reihe 3 an einer Wand,
    Ziegel in Reihe 1–3, 1 Punkt je Ziegel, Abprall am Schläger, Ende, wenn der Ball vorbeifällt; sticky actions.
    (Schritt für Schritt mit dem Paket `minatar` verglichen: 300 Spiele, 17 168 Schritte, keine Abweichung.)"""
    env = atari.MiniBreakout(sticky_action_prob=0.0)
    frame, _ = env.reset(seed=0)
    assert frame.shape == (10, 10) and frame.dtype == np.uint8
    assert env.bricks[1:4].all() and not env.bricks[4:].any() and frame[9, 4] == atari.MINI_GREY["paddle"]
    assert env.ball_y == 3 and env.ball_x in (0, 9) and env.dy == 1  # der Ball beginnt in der untersten Ziegelreihe
    assert frame[3, env.ball_x] == atari.MINI_GREY["ball"]  # und liegt im Bild über dem Ziegel
    # der Schläger folgt dem Ball: kein Ball fällt, und Ziegel bringen Punkte
    total = 0.0
    for _ in range(1_000):
        target = env.ball_x + env.dx if env.dy > 0 else env.ball_x
        action = 0 if target == env.paddle else (1 if target < env.paddle else 2)
        _, reward, terminated, _, _ = env.step(action)
        total += reward
        assert not terminated
    assert total >= 10
    # ein abgeräumtes Feld füllt sich neu, sobald der Ball unten ankommt; senkrecht über dem Schläger prallt er ab
    env.bricks[:] = False
    env.ball_x, env.ball_y, env.dx, env.dy = env.paddle, 8, 1, 1
    _, reward, terminated, _, _ = env.step(0)
    assert env.bricks[1:4].all() and not terminated and env.dy == -1 and env.ball_y == 8
    # nichts tun: bald fällt der Ball vorbei, und die Episode endet
    for seed in range(5):
        env.reset(seed=seed)
        assert any(env.step(0)[2] for _ in range(200)), seed
    # sticky actions: mit Wahrscheinlichkeit 1 wiederholt die Umgebung die letzte Aktion (am Anfang 0)
    sticky = atari.MiniBreakout(sticky_action_prob=1.0)
    sticky.reset(seed=0)
    sticky.step(2)
    assert sticky.paddle == 4
