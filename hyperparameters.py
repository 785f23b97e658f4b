"""Hyperparameter mit deutscher Prüfung: die Grundlage von `dqn.DQNConfig` und `atari.AtariConfig`.

`setting(default, doc)` legt einen Hyperparameter samt Bedeutung an (`dqn.describe` zeigt sie). Jede Unterklasse von
`Hyperparameters` wird eine dataclass, die Typen und Wertebereiche prüft, beim Anlegen und bei jeder späteren
Zuweisung, und alle Probleme auf einmal auf Deutsch nennt.
"""

import math
from dataclasses import dataclass, field, fields

import numpy as np

import course


def setting(default, doc):
    """Ein Hyperparameter mit seiner Bedeutung (die zeigt `describe`)."""
    return field(default=default, metadata={"doc": doc})


def did_you_mean(unknown, known):
    """» Meintest du gamma?« zu falsch geschriebenen Namen (difflib), oder "" ohne ähnlichen Namen."""
    import difflib

    guesses = [match for name in unknown for match in difflib.get_close_matches(name, list(known), n=1)]
    return f" Meintest du {', '.join(guesses)}?" if guesses else ""


def unknown_names(names, known):
    """Die deutsche Meldung zu Hyperparametern, die es nicht gibt, mit Vorschlag (»meintest du gamma?«); sonst None."""
    unknown = [name for name in names if name not in known]
    if not unknown:
        return None
    return (
        f"Diese Hyperparameter gibt es nicht: {', '.join(unknown)}.{did_you_mean(unknown, known)} "
        f"Erlaubt sind: {', '.join(known)}."
    )


class Hyperparameters:
    """Gemeinsame Prüfung für DQNConfig und atari.AtariConfig: erst die Typen, dann die Wertebereiche.

    Eine falsche Eingabe ergibt eine course.InputError, die alle Probleme auf einmal auf Deutsch nennt. Ganze Zahlen
    dürfen als 1e5 kommen, Kommazahlen als ganze Zahlen; Texte statt Zahlen werden abgewiesen. Jede Unterklasse wird
    von selbst eine dataclass, deren Aufruf einen unbekannten Namen auf Deutsch meldet statt mit TypeError.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        dataclass(cls)
        generated_init = cls.__init__

        def __init__(self, *args, **kwargs):
            problem = unknown_names(kwargs, [f.name for f in fields(cls)])
            if problem:
                raise course.InputError(problem)
            generated_init(self, *args, **kwargs)

        cls.__init__ = __init__

    # kleinster erlaubter Wert je Feld (wo es das Feld gibt); eine Unterklasse kann einzelne Grenzen ändern
    minimum = dict(
        total_steps=1,
        batch_size=1,
        memory_size=1,
        train_every=1,
        epsilon_decay_steps=1,
        target_update_every=0,
        eval_every=0,
        eval_episodes=1,
        eval_screen_episodes=1,
        checkpoint_every=0,
        clipnorm=0,
    )
    between_0_and_1 = ("gamma", "epsilon_start", "epsilon_end")
    positive = ("learning_rate", "huber_delta")

    def __post_init__(self):
        problems = [problem for f in fields(self) if (problem := self._fix_type(f))]
        if not problems:
            problems = self.value_problems()
        if problems:
            raise course.InputError("Ungültige Hyperparameter:\n- " + "\n- ".join(problems))

    def __setattr__(self, name, value):
        """`config.gamma = 1.5` nach dem Anlegen wird genauso geprüft wie `DQNConfig(gamma=1.5)`; ein ungültiger Wert
        wird abgewiesen, und die Einstellung bleibt, wie sie war."""
        if not all(f.name in self.__dict__ for f in fields(self)):  # im __init__: __post_init__ prüft alles
            object.__setattr__(self, name, value)
            return
        known = {f.name: f for f in fields(self)}
        if name not in known:
            raise course.InputError(unknown_names([name], list(known)))
        old = getattr(self, name)
        object.__setattr__(self, name, value)
        problem = self._fix_type(known[name])
        # nur die Regeln, die mit diesem Namen beginnen: Ein Stück eines Trainings (copy.copy, kleineres total_steps,
        # das nur sammelt) bleibt erlaubt; was zwei Felder verbindet, prüft der Konstruktor
        problems = [problem] if problem else [p for p in self.value_problems() if p.startswith(f"`{name}`")]
        if problems:
            object.__setattr__(self, name, old)
            raise course.InputError(
                f"Ungültiger Wert für `{name}`; die Einstellung bleibt bei {old!r}:\n- " + "\n- ".join(problems)
            )

    def _fix_type(self, f):
        """Prüft den Typ eines Felds (wandelt 1e5 in 100000 und 3 in 3.0); gibt ein Problem als Satz oder None."""
        value, kind = getattr(self, f.name), f.type if isinstance(f.type, str) else f.type.__name__
        quoted = " (ohne Anführungszeichen schreiben)" if isinstance(value, str) else ""
        number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
        if kind == "int":
            if number and float(value).is_integer():
                object.__setattr__(self, f.name, int(value))
                return None
            return f"`{f.name}` muss eine ganze Zahl sein, ist {value!r}{quoted}."
        if kind == "float":
            if number and math.isfinite(value):
                object.__setattr__(self, f.name, float(value))
                return None
            return f"`{f.name}` muss eine (endliche) Zahl sein, ist {value!r}{quoted}."
        if kind == "bool":
            return (
                None if isinstance(value, (bool, np.bool_)) else f"`{f.name}` muss True oder False sein, ist {value!r}."
            )
        if kind == "tuple":
            if (
                isinstance(value, (list, tuple))
                and value
                and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in value)
            ):
                object.__setattr__(self, f.name, tuple(int(n) for n in value))
                return None
            return (
                f"`{f.name}` ist eine Liste von Schichtgrößen wie (64, 64), ist aber {value!r}; "
                "für eine einzige Schicht mit 64 Neuronen: (64,)."
            )
        if kind == "str" and not isinstance(value, str):
            return f"`{f.name}` muss ein Text sein, ist {value!r}."
        return None

    def value_problems(self):
        """Die Wertebereiche und Budgets; gibt eine Liste von Sätzen (leer: alles in Ordnung)."""
        names = {f.name for f in fields(self)}
        problems = [
            f"`{name}` muss mindestens {least} sein, ist {getattr(self, name)}."
            for name, least in self.minimum.items()
            if name in names and getattr(self, name) < least
        ]
        problems += [
            f"`{name}` muss zwischen 0 und 1 liegen, ist {getattr(self, name)}."
            for name in self.between_0_and_1
            if not 0.0 <= getattr(self, name) <= 1.0
        ]
        problems += [
            f"`{name}` muss positiv sein, ist {getattr(self, name)}"
            + (": mit 0 oder weniger lernt das Netz nichts." if name == "huber_delta" else ".")
            for name in self.positive
            if not getattr(self, name) > 0
        ]
        if self.learning_starts < self.batch_size:
            problems.append(
                f"`learning_starts` ({self.learning_starts}) muss mindestens `batch_size` ({self.batch_size}) sein: "
                "sonst zieht der erste Lernschritt mehr Übergänge, als im Speicher liegen."
            )
        if self.learning_starts >= self.total_steps:
            problems.append(
                f"`learning_starts` ({self.learning_starts}) muss kleiner sein als `total_steps` "
                f"({self.total_steps}): sonst endet das Training, bevor der erste Lernschritt kommt."
            )
        if self.memory_size and self.memory_size < self.batch_size:
            problems.append(f"`memory_size` ({self.memory_size}) ist kleiner als ein Stapel ({self.batch_size}).")
        return problems
