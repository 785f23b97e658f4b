"""Prüfumgebungen (*probe environments*) für die Fehlersuche an einem DQN, wie in ARENA und bei Andy Jones.

Jede Umgebung ist winzig, und ihre richtigen Q-Werte stehen fest. Lernt ein Agent sie nicht, zeigt die erste
Umgebung, die scheitert, auf den Baustein, der falsch ist: Verlust und Optimierer (1), die Eingabe des Netzes (2),
Diskontierung und Episodenende im Bellman-Ziel (3), die Aktionsmaske (4), das Zusammenspiel (5).

    import probes
    print(probes.report(probes.run_probes(train)))   # train: deine Trainingsfunktion aus Lektion 3
"""

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

import course
import dqn

GAMMA = 0.5  # klein, damit der diskontierte Wert in Probe 3 deutlich von 1 verschieden ist
TOLERANCE = 0.15  # so nah müssen die gelernten Q-Werte an den richtigen liegen


class _ProbeEnv(gym.Env):
    """Grundgerüst: Beobachtung ein Vektor der Länge 1, Aktionen `n_actions`, Belohnung aus `_reward`."""

    n_actions = 1
    length = 1  # Schritte pro Episode

    def __init__(self):
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
        self.action_space = gym.spaces.Discrete(self.n_actions)
        self.obs, self.t = None, 0

    def _first_obs(self):
        return 0.0

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        self.obs = self._first_obs()
        return np.array([self.obs], np.float32), {}

    def step(self, action):
        reward = float(self._reward(self.obs, int(action)))
        self.t += 1
        done = self.t >= self.length
        self.obs = 0.0 if done else float(self.t)
        return np.array([self.obs], np.float32), reward, done, False, {}


class ConstantReward(_ProbeEnv):
    def _reward(self, obs, action):
        return 1.0


class ObservationReward(_ProbeEnv):
    def _first_obs(self):
        return float(self.np_random.choice([-1.0, 1.0]))

    def _reward(self, obs, action):
        return obs


class TwoSteps(_ProbeEnv):
    length = 2

    def _reward(self, obs, action):
        return 1.0 if self.t == 1 else 0.0  # Belohnung erst im zweiten Schritt


class ActionReward(_ProbeEnv):
    n_actions = 2

    def _reward(self, obs, action):
        return 1.0 if action == 1 else -1.0


class ActionAndObservationReward(_ProbeEnv):
    n_actions = 2

    def _first_obs(self):
        return float(self.np_random.choice([-1.0, 1.0]))

    def _reward(self, obs, action):
        return 1.0 if (action == 1) == (obs > 0) else -1.0


@dataclass(frozen=True)
class Probe:
    env_id: str
    env_class: type
    name: str
    expected: dict  # Beobachtung -> richtige Q-Werte je Aktion (bei γ = GAMMA)
    suspect: str  # was kaputt ist, wenn genau diese Prüfung als erste scheitert


PROBES = [
    Probe(
        "Workshop/Probe1-v0",
        ConstantReward,
        "1 · immer Belohnung 1, ein Schritt",
        {0.0: [1.0]},
        "Schon eine einzelne Belohnung wird falsch gelernt: Rechnet das Bellman-Ziel nach dem Episodenende "
        "(terminated) weiter? Lernt das Netz überhaupt (Verlust, Optimierer, `train_on_batch`)?",
    ),
    Probe(
        "Workshop/Probe2-v0",
        ObservationReward,
        "2 · Belohnung = Beobachtung (±1)",
        {-1.0: [-1.0], 1.0: [1.0]},
        "Das Netz sieht seine Eingabe nicht richtig: Beobachtung und Folgebeobachtung vertauscht, oder ein "
        "falscher Stapel aus dem Speicher.",
    ),
    Probe(
        "Workshop/Probe3-v0",
        TwoSteps,
        "3 · zwei Schritte, Belohnung 1 am Ende",
        {0.0: [GAMMA], 1.0: [1.0]},
        "Das Bellman-Ziel: fehlt γ, wird am Episodenende (terminated) trotzdem weitergerechnet, oder kommt "
        "max Q(s′) vom falschen Netz?",
    ),
    Probe(
        "Workshop/Probe4-v0",
        ActionReward,
        "4 · Aktion 1 bringt +1, Aktion 0 bringt −1",
        {0.0: [-1.0, 1.0]},
        "Die Aktionsmaske: lernt das Netz den Q-Wert der gewählten Aktion (one_hot der gespeicherten Aktion)?",
    ),
    Probe(
        "Workshop/Probe5-v0",
        ActionAndObservationReward,
        "5 · +1, wenn die Aktion zum Vorzeichen passt",
        {-1.0: [1.0, -1.0], 1.0: [-1.0, 1.0]},
        "Beobachtung und Aktion gehören im Lernschritt nicht zusammen: Zeilen des Stapels vertauscht oder "
        "Aktionen aus einem anderen Übergang.",
    ),
]


def register():
    """Meldet die Prüfumgebungen bei Gymnasium an (einmal pro Prozess; der Import tut das)."""
    for probe in PROBES:
        if probe.env_id not in gym.registry:
            gym.register(probe.env_id, entry_point=probe.env_class, max_episode_steps=probe.env_class.length)


register()


def probe_config(env_id, **changes):
    """Kleines DQN für eine Prüfumgebung: immer zufällig handeln (ε = 1), damit jede Aktion oft vorkommt."""
    settings = dict(
        env_id=env_id,
        total_steps=800,
        hidden_units=(16,),
        learning_rate=5e-3,
        gamma=GAMMA,
        batch_size=32,
        memory_size=800,
        learning_starts=100,
        train_every=1,
        epsilon_start=1.0,
        epsilon_end=1.0,
        epsilon_decay_steps=1,
        target_update_every=20,
        eval_every=0,
        target_return=0.0,
    )
    return dqn.DQNConfig(**{**settings, **changes})


@dataclass
class ProbeResult:
    probe: Probe
    learned: dict  # Beobachtung -> gelernte Q-Werte
    error: str = None  # Fehlermeldung, wenn das Training selbst abbrach

    @property
    def passed(self):
        return self.error is None and all(
            np.allclose(self.learned[obs], expected, atol=TOLERANCE) for obs, expected in self.probe.expected.items()
        )


def run_probes(train, seed=0, **changes):
    """Trainiert `train(config, seed=..., progress=False)` auf jeder Prüfumgebung; gibt [ProbeResult] zurück."""
    results = []
    for probe in PROBES:
        try:
            result = train(probe_config(probe.env_id, **changes), seed=seed, progress=False)
        except Exception as error:  # die Meldung gehört in die Tabelle, nicht als Traceback unter die Zelle
            results.append(ProbeResult(probe, {}, f"{type(error).__name__}: {error}"))
            continue
        observations = np.array([[obs] for obs in probe.expected], np.float32)
        q_values = np.asarray(result.q_model.predict_on_batch(observations))
        results.append(ProbeResult(probe, {obs: q for obs, q in zip(probe.expected, q_values)}))
    return results


def _numbers(values):
    return "[" + "; ".join(course.german_number(float(v), 2) for v in values) + "]"


def report(results):
    """Deutsche Tabelle: richtige und gelernte Q-Werte je Prüfung, dazu der Verdacht der ersten, die scheitert."""
    lines = [f"Prüfumgebungen (γ = {course.german_number(GAMMA, 1)}, Toleranz ± {course.german_number(TOLERANCE, 2)}):"]
    first_failure = None
    for result in results:
        mark = "✅" if result.passed else "❌"
        lines.append(f"{mark} {result.probe.name}")
        if result.error:
            lines.append(f"     Training brach ab: {result.error}")
        for obs, expected in result.probe.expected.items():
            got = result.learned.get(obs)
            got_text = _numbers(got) if got is not None else "–"
            lines.append(
                f"     Beobachtung {course.german_number(obs)}: richtig {_numbers(expected)}, gelernt {got_text}"
            )
        if not result.passed and first_failure is None:
            first_failure = result
    if first_failure is None:
        lines.append("Alle Prüfungen bestanden: Dein DQN lernt, was es lernen soll.")
    else:
        lines.append(f"Verdacht (aus der ersten Prüfung, die scheitert): {first_failure.probe.suspect}")
    return "\n".join(lines)
