"""The Strong app's CSV export, in every layout the app has written and in the app's languages.

Strong writes one row per set, and its header in the app's language. Its layouts over the years
(`LAYOUTS`, by column order):

- 2016: `Date, Workout Name, Exercise Name, Set Order, kg | lbs, Reps, km | mi, Seconds, Notes`
  (set order counts from 0; the weight column's name is its unit);
- 2019: `Date, Workout Name, Duration, Exercise Name, Set Order, Weight, Reps, Distance, Seconds,
  Notes, Workout Notes, RPE` (no unit anywhere: kilograms are assumed, with a warning);
- 2022: `Date, Workout Name, Exercise Name, Set Order, Weight, Reps, RPE, Distance, Seconds, Notes,
  Workout Notes, Duration` (the German export's order: `Datum; Workout-Name; Name der Übung; …`);
- the `Weight Unit` layout: `Date, Workout Name, Exercise Name, Set Order, Weight, Weight Unit, Reps,
  RPE, Distance, Distance Unit, Seconds, Notes, Workout Notes, Workout Duration` (Android, often `;`),
  or with `Duration` third (iOS);
- the `Workout #` layout: `Workout #, Date, Workout Name, Duration (sec), Exercise Name, Set Order,
  Weight (kg) | Weight (lbs), Reps, RPE, Distance (meters), Seconds, Notes, Workout Notes`.

Set order is a set number, or a word: rest timer and note rows (not sets; some versions write
the rest timer as an exercise named `Rest Timer` instead), warm-up (`W`,
`WARM_UP`: kept, marked `warmup`), drop set (`D`, `DROP_SET`) and failure (`F`, `FAILURE`), in
every language of `SET_ORDER_WORDS`.

Recognition: the header's cells are looked up in `HEADER_NAMES` (English, German, French, Spanish,
Italian, Portuguese, Dutch, Russian, Chinese, Japanese, Korean). When the header's width is one of
the layouts above and the values under each column have that column's shape (dates, set orders,
numbers), the columns are read by position; that is also how an export in a language missing from
the table is read, with a warning that names the language as unknown rather than a refusal.
"""

from __future__ import annotations

import re
from collections import Counter

from analysis.io.strength.cells import LB_TO_KG, Bad, Problems, checked, is_number, number, text_or_none
from analysis.io.strength.dates import classify_date
from analysis.io.strength.layout import (
    BY_COLUMN_ORDER,
    BY_HEADER_NAMES,
    Entry,
    Layout,
    Recognition,
    classify_app_entry,
    distance_warning,
    join_notes,
    read_set_numbers,
)
from analysis.io.strength.table import Table, header_key

# Column order of each layout Strong has written (module docstring), by field.
LAYOUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("2016 layout", ("date", "workout_name", "exercise", "set_order", "weight", "reps", "distance", "seconds",
                     "notes")),
    ("2016 layout", ("date", "workout_name", "exercise", "set_order", "weight", "reps", "distance", "seconds",
                     "notes", "workout_notes")),
    ("2019 layout", ("date", "workout_name", "duration", "exercise", "set_order", "weight", "reps", "distance",
                     "seconds", "notes", "workout_notes")),
    ("2019 layout", ("date", "workout_name", "duration", "exercise", "set_order", "weight", "reps", "distance",
                     "seconds", "notes", "workout_notes", "rpe")),
    ("2022 layout", ("date", "workout_name", "exercise", "set_order", "weight", "reps", "rpe", "distance", "seconds",
                     "notes", "workout_notes", "duration")),
    ("Weight Unit layout", ("date", "workout_name", "exercise", "set_order", "weight", "weight_unit", "reps", "rpe",
                            "distance", "distance_unit", "seconds", "notes", "workout_notes", "duration")),
    ("Weight Unit layout", ("date", "workout_name", "duration", "exercise", "set_order", "weight", "weight_unit",
                            "reps", "rpe", "distance", "distance_unit", "seconds", "notes", "workout_notes")),
    ("Workout # layout", ("workout_number", "date", "workout_name", "duration", "exercise", "set_order", "weight",
                          "reps", "rpe", "distance", "seconds", "notes", "workout_notes")),
)
REQUIRED = ("date", "exercise", "set_order")

# Header names by language and field, as the app writes them (units in brackets are read separately:
# "Weight (kg)", "Gewicht (kg)"). Several spellings per field where app versions differ.
HEADER_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "English": {
        "date": ("Date",), "workout_number": ("Workout #", "Workout Number"), "workout_name": ("Workout Name",),
        "duration": ("Duration", "Workout Duration"), "exercise": ("Exercise Name", "Exercise"),
        "set_order": ("Set Order",), "weight": ("Weight",), "weight_unit": ("Weight Unit",), "reps": ("Reps",),
        "rpe": ("RPE",), "distance": ("Distance",), "distance_unit": ("Distance Unit",), "seconds": ("Seconds",),
        "notes": ("Notes",), "workout_notes": ("Workout Notes",),
    },
    "German": {
        "date": ("Datum",), "workout_number": ("Workout-Nr.", "Workout Nr", "Training Nr"),
        "workout_name": ("Workout-Name", "Workoutname", "Trainingsname", "Name des Workouts"),
        "duration": ("Dauer", "Workout-Dauer", "Trainingsdauer"),
        "exercise": ("Name der Übung", "Übungsname", "Übung"),
        "set_order": ("Reihenfolge festlegen", "Satzreihenfolge", "Satz-Reihenfolge", "Reihenfolge"),
        "weight": ("Gewicht",), "weight_unit": ("Gewichtseinheit", "Einheit des Gewichts"),
        "reps": ("Wiederh.", "Wiederholungen", "Wdh."), "distance": ("Entfernung", "Distanz", "Strecke"),
        "distance_unit": ("Entfernungseinheit", "Distanzeinheit"), "seconds": ("Sekunden",),
        "notes": ("Notizen", "Anmerkungen"), "workout_notes": ("Workout-Notizen", "Trainingsnotizen"),
    },
    "French": {
        "date": ("Date",), "workout_number": ("N° d'entraînement", "Entraînement n°", "Numéro d'entraînement"),
        "workout_name": ("Nom de l'entraînement", "Nom de la séance"),
        "duration": ("Durée", "Durée de l'entraînement"), "exercise": ("Nom de l'exercice", "Exercice"),
        "set_order": ("Ordre de la série", "Ordre des séries", "Définir l'ordre", "Ordre"),
        "weight": ("Poids",), "weight_unit": ("Unité de poids",), "reps": ("Réps", "Répétitions", "Rép."),
        "distance": ("Distance",), "distance_unit": ("Unité de distance",), "seconds": ("Secondes",),
        "notes": ("Notes", "Remarques"), "workout_notes": ("Notes d'entraînement", "Notes de l'entraînement"),
    },
    "Spanish": {
        "date": ("Fecha",), "workout_number": ("N.º de entrenamiento", "Entrenamiento n.º"),
        "workout_name": ("Nombre del entrenamiento", "Nombre de entrenamiento"),
        "duration": ("Duración", "Duración del entrenamiento"),
        "exercise": ("Nombre del ejercicio", "Nombre de ejercicio", "Ejercicio"),
        "set_order": ("Orden de la serie", "Orden de series", "Establecer orden", "Orden"),
        "weight": ("Peso",), "weight_unit": ("Unidad de peso",), "reps": ("Repeticiones", "Reps", "Rep."),
        "distance": ("Distancia",), "distance_unit": ("Unidad de distancia",), "seconds": ("Segundos",),
        "notes": ("Notas",), "workout_notes": ("Notas del entrenamiento", "Notas de entrenamiento"),
    },
    "Italian": {
        "date": ("Data",), "workout_number": ("N. allenamento", "Allenamento n."),
        "workout_name": ("Nome dell'allenamento", "Nome allenamento"),
        "duration": ("Durata", "Durata dell'allenamento"),
        "exercise": ("Nome dell'esercizio", "Nome esercizio", "Esercizio"),
        "set_order": ("Ordine della serie", "Ordine delle serie", "Imposta ordine", "Ordine"),
        "weight": ("Peso",), "weight_unit": ("Unità di peso",), "reps": ("Ripetizioni", "Rip.", "Rip"),
        "distance": ("Distanza",), "distance_unit": ("Unità di distanza",), "seconds": ("Secondi",),
        "notes": ("Note",), "workout_notes": ("Note dell'allenamento", "Note allenamento"),
    },
    "Portuguese": {
        "date": ("Data",), "workout_number": ("N.º do treino", "Treino n.º"),
        "workout_name": ("Nome do treino", "Nome do exercício físico"),
        "duration": ("Duração", "Duração do treino"),
        "exercise": ("Nome do exercício", "Exercício"),
        "set_order": ("Ordem da série", "Ordem das séries", "Definir ordem", "Ordem"),
        "weight": ("Peso",), "weight_unit": ("Unidade de peso",), "reps": ("Repetições", "Reps", "Rep."),
        "distance": ("Distância",), "distance_unit": ("Unidade de distância",), "seconds": ("Segundos",),
        "notes": ("Notas", "Observações"), "workout_notes": ("Notas do treino",),
    },
    "Dutch": {
        "date": ("Datum",), "workout_number": ("Training nr.", "Workout nr."),
        "workout_name": ("Naam van de training", "Trainingsnaam", "Workoutnaam", "Naam training"),
        "duration": ("Duur", "Trainingsduur"),
        "exercise": ("Naam van de oefening", "Oefeningnaam", "Naam oefening", "Oefening"),
        "set_order": ("Volgorde instellen", "Setvolgorde", "Volgorde van de set", "Volgorde"),
        "weight": ("Gewicht",), "weight_unit": ("Gewichtseenheid",), "reps": ("Herhalingen", "Herh.", "Herh"),
        "distance": ("Afstand",), "distance_unit": ("Afstandseenheid",), "seconds": ("Seconden",),
        "notes": ("Notities", "Opmerkingen"), "workout_notes": ("Trainingsnotities", "Workoutnotities"),
    },
    "Russian": {
        "date": ("Дата",), "workout_number": ("№ тренировки", "Номер тренировки"),
        "workout_name": ("Название тренировки",),
        "duration": ("Продолжительность", "Длительность"),
        "exercise": ("Название упражнения", "Упражнение"),
        "set_order": ("Установить порядок", "Порядок подходов", "Порядок подхода", "Порядок"),
        "weight": ("Вес",), "weight_unit": ("Единица веса",), "reps": ("Повторения", "Повт.", "Повторы"),
        "distance": ("Расстояние", "Дистанция"), "distance_unit": ("Единица расстояния",),
        "seconds": ("Секунды", "Сек."), "notes": ("Заметки", "Примечания"),
        "workout_notes": ("Заметки к тренировке", "Заметки тренировки"),
    },
    "Chinese": {
        "date": ("日期",), "workout_number": ("锻炼编号", "鍛鍊編號"),
        "workout_name": ("锻炼名称", "鍛鍊名稱", "训练名称"),
        "duration": ("时长", "時長", "持续时间"), "exercise": ("运动名称", "運動名稱", "练习名称", "动作名称"),
        "set_order": ("设置顺序", "設定順序", "组顺序", "組順序"), "weight": ("重量",),
        "weight_unit": ("重量单位", "重量單位"), "reps": ("次", "次数", "次數"), "distance": ("距离", "距離"),
        "distance_unit": ("距离单位", "距離單位"), "seconds": ("秒",), "notes": ("备注", "備註"),
        "workout_notes": ("锻炼备注", "鍛鍊備註"),
    },
    "Japanese": {
        "date": ("日付",), "workout_number": ("ワークアウト番号",), "workout_name": ("ワークアウト名",),
        "duration": ("時間", "期間", "所要時間"), "exercise": ("エクササイズ名", "種目名", "エクササイズ"),
        "set_order": ("セットの順序", "セット順序", "順序を設定", "セット順"), "weight": ("重さ", "ウェイト"),
        "weight_unit": ("重量の単位", "重さの単位"), "reps": ("回数", "レップ", "レップ数"), "distance": ("距離",),
        "distance_unit": ("距離の単位",), "seconds": ("秒数",), "notes": ("メモ",),
        "workout_notes": ("ワークアウトのメモ", "ワークアウトメモ"),
    },
    "Korean": {
        "date": ("날짜",), "workout_number": ("운동 번호", "워크아웃 번호"),
        "workout_name": ("워크아웃 이름", "운동 이름"), "duration": ("시간", "기간", "운동 시간"),
        "exercise": ("운동 종목 이름", "종목 이름", "운동 종목", "종목"),
        "set_order": ("세트 순서", "순서 설정"), "weight": ("무게", "중량"), "weight_unit": ("무게 단위",),
        "reps": ("횟수", "반복", "반복 횟수"), "distance": ("거리",), "distance_unit": ("거리 단위",),
        "seconds": ("초",), "notes": ("메모", "노트"), "workout_notes": ("운동 메모", "워크아웃 메모"),
    },
}
# Cells that are a unit and a field at once (the 2016 layout names its weight column "kg" or "lbs").
UNIT_HEADERS = {
    "kg": ("weight", "kg"), "kgs": ("weight", "kg"), "lbs": ("weight", "lb"), "lb": ("weight", "lb"),
    "km": ("distance", None), "mi": ("distance", None), "miles": ("distance", None), "m": ("distance", None),
    "meters": ("distance", None), "metres": ("distance", None),
}

# Set-order words by kind and language (matching ignores case, spaces and punctuation).
SET_ORDER_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "rest": {
        "English": ("Rest Timer", "REST_TIMER", "Rest"), "German": ("Ruhezeit", "Pause", "Pausentimer"),
        "French": ("Minuteur de repos", "Temps de repos", "Repos"),
        "Spanish": ("Temporizador de descanso", "Descanso"), "Italian": ("Timer di recupero", "Recupero", "Riposo"),
        "Portuguese": ("Cronómetro de descanso", "Temporizador de descanso", "Descanso"),
        "Dutch": ("Rusttimer", "Rusttijd", "Rust"), "Russian": ("Таймер отдыха", "Отдых"),
        "Chinese": ("休息计时器", "休息計時器", "休息"), "Japanese": ("休憩タイマー", "休憩", "レスト"),
        "Korean": ("휴식 타이머", "휴식"),
    },
    "note": {
        "English": ("Note", "Notes", "NOTE"), "German": ("Notiz", "Notizen"), "French": ("Note", "Remarque"),
        "Spanish": ("Nota",), "Italian": ("Nota",), "Portuguese": ("Nota",), "Dutch": ("Notitie",),
        "Russian": ("Заметка", "Примечание"), "Chinese": ("备注", "備註", "笔记"), "Japanese": ("メモ",),
        "Korean": ("메모", "노트"),
    },
    "warmup": {
        "English": ("W", "Warm-up", "WARM_UP", "Warmup"), "German": ("Aufwärmen", "Aufwärmsatz", "Aufwärmung"),
        "French": ("Échauffement",), "Spanish": ("Calentamiento",), "Italian": ("Riscaldamento",),
        "Portuguese": ("Aquecimento",), "Dutch": ("Opwarming", "Warming-up", "Opwarmen"),
        "Russian": ("Разминка",), "Chinese": ("热身", "熱身"), "Japanese": ("ウォームアップ",),
        "Korean": ("워밍업", "웜업"),
    },
    "drop": {
        "English": ("D", "Drop set", "DROP_SET", "Drop"), "German": ("Dropsatz", "Drop-Satz"),
        "French": ("Série dégressive", "Dégressive"), "Spanish": ("Serie descendente",),
        "Italian": ("Serie discendente", "Discendente"), "Portuguese": ("Série descendente",),
        "Dutch": ("Dropset",), "Russian": ("Дроп-сет", "Дропсет"), "Chinese": ("递减组", "遞減組"),
        "Japanese": ("ドロップセット",), "Korean": ("드롭 세트",),
    },
    "failure": {
        "English": ("F", "Failure", "FAILURE"), "German": ("Versagen", "Muskelversagen"), "French": ("Échec",),
        "Spanish": ("Fallo",), "Italian": ("Cedimento",), "Portuguese": ("Falha",), "Dutch": ("Falen",),
        "Russian": ("Отказ",), "Chinese": ("力竭",), "Japanese": ("失敗", "限界"), "Korean": ("실패",),
    },
}
_KG_WORDS = {"kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "кг", "公斤", "千克", "キロ", "킬로그램"}
_LB_WORDS = {"lb", "lbs", "pound", "pounds", "фунт", "фунты", "磅", "ポンド", "파운드"}
_REST_EXERCISES = {header_key(w) for w in ("Rest Timer", "Rest", "Pause", "Ruhezeit", "Descanso", "Repos")}
_SAMPLE_ROWS = 50  # rows looked at to decide whether values have a layout's shapes
_SHAPE_SHARE = 0.9  # share of sampled rows whose date/exercise cells must look right
_BRACKETED = re.compile(r"^(.*?)\s*[(\[]([^)\]]*)[)\]]\s*$")


def _name_index() -> tuple[dict[str, str], dict[str, set[str]]]:
    """header key -> field over all languages, and header key -> languages that write it."""
    fields: dict[str, str] = {}
    languages: dict[str, set[str]] = {}
    for language, names in HEADER_NAMES.items():
        for field, spellings in names.items():
            for spelling in spellings:
                key = header_key(spelling)
                if fields.setdefault(key, field) != field:
                    raise ValueError(f"Strong header name {spelling!r} means two fields")  # a table mistake
                languages.setdefault(key, set()).add(language)
    return fields, languages


_FIELD_OF, _LANGUAGES_OF = _name_index()
_SET_KIND = {
    header_key(word): kind for kind, by_language in SET_ORDER_WORDS.items() for words in by_language.values()
    for word in words
}


def header_field(cell: str) -> tuple[str | None, str | None, str]:
    """(field, weight unit or None, header key used for the language) of one header cell, or (None, None, key)."""
    key = header_key(cell)
    if key in _FIELD_OF:
        return _FIELD_OF[key], None, key
    if key in UNIT_HEADERS:
        field, unit = UNIT_HEADERS[key]
        return field, unit, key
    bracketed = _BRACKETED.match(cell.strip())
    if bracketed:
        base, unit_text = header_key(bracketed.group(1)), header_key(bracketed.group(2))
        field = _FIELD_OF.get(base)
        unit = "kg" if unit_text in _KG_WORDS else "lb" if unit_text in _LB_WORDS else None
        if field is not None:
            return field, unit if field == "weight" else None, base
    return None, None, key


class StrongExport(Layout):
    name = "strong"
    app = "Strong"

    def recognise(self, table: Table) -> Recognition | None:
        named: dict[int, str] = {}
        languages: Counter[str] = Counter()
        for index, cell in enumerate(table.header):
            field, _, key = header_field(cell)
            if field is not None:
                named[index] = field
                for language in _LANGUAGES_OF.get(key, ()):
                    languages[language] += 1
        by_name = set(REQUIRED) <= set(named.values())
        language = _language(languages) if by_name else None
        fitting = []  # (cells named otherwise than the layout has them, detail, columns)
        for detail, roles in LAYOUTS:
            columns = {field: i for i, field in enumerate(roles)}
            if len(roles) == len(table.header) and _shapes_fit(table, columns):
                fitting.append((sum(roles[i] != field for i, field in named.items()), detail, columns))
        agreeing = [f for f in fitting if f[0] == 0]
        if agreeing:
            _, detail, columns = agreeing[0]
            return Recognition(self, BY_HEADER_NAMES if by_name else BY_COLUMN_ORDER, columns, language, detail)
        if by_name:  # the columns by their names, wherever they are
            columns = {}
            for index, field in named.items():
                columns.setdefault(field, index)
            return Recognition(self, BY_HEADER_NAMES, columns, language, "")
        if fitting:  # names we read differently (or not at all), but the app's column order and values
            _, detail, columns = min(fitting, key=lambda f: f[0])
            return Recognition(self, BY_COLUMN_ORDER, columns, None, detail)
        return None

    def read(self, table: Table, how: Recognition, problems: Problems, warnings: list[str],
             athlete: str | None) -> list[Entry]:
        cols = dict(how.columns)

        def header(field: str) -> str:
            return table.header[cols[field]]

        if how.confidence == BY_COLUMN_ORDER:
            shown = ", ".join(f"'{h}'" for h in table.header[:6])
            warnings.append(
                f"The header ({shown}, …) is in a language we do not know, so the file was read as a Strong export "
                f"({how.detail}) by its column order and values. Check its dates, weights and reps on the Strength "
                "log page, and tell us the app's language so we can add it."
            )
        header_unit = header_field(header("weight"))[1] if "weight" in cols else None
        unit_column = "weight_unit" in cols
        assumed_kg = 0
        skipped: Counter[str] = Counter()  # rest-timer and note rows, by kind
        unknown_sets: Counter[str] = Counter()
        unknown_rows: Counter[str] = Counter()
        distance_rows = 0
        notes_by_key: dict[tuple[str, ...], list[str]] = {}
        entries: list[Entry] = []
        for row, cells in table.rows:
            if not any(c.strip() for c in cells):
                continue

            def cell(field: str, cells: list[str] = cells) -> str | None:
                return cells[cols[field]] if field in cols else None

            order = (cell("set_order") or "").strip()
            kind = _set_kind(order)
            exercise = text_or_none(cell("exercise") or "")
            rest_exercise = exercise is not None and header_key(exercise) in _REST_EXERCISES
            if rest_exercise and not _has_lift(cell, table.decimal_comma):
                kind = "rest"
            key = ((cell("date") or "").strip(), (cell("workout_name") or "").strip(),
                   (cell("workout_number") or "").strip(), exercise or "")
            if kind == "unknown":
                if not _has_lift(cell, table.decimal_comma):
                    unknown_rows[order] += 1  # a rest or note row in a language we do not know
                    continue
                unknown_sets[order] += 1
            if kind == "rest":
                skipped["rest"] += 1
                continue
            if kind == "note":
                note = text_or_none(cell("notes") or "")
                if note:
                    notes_by_key.setdefault(key, []).append(note)
                continue
            entry = Entry(
                row=row,
                date=classify_date(cell("date") or "", row, header("date"), self.name),
                athlete=None,
                session_type=None,
                exercise=exercise,
                sets=1.0,
                warmup=kind == "warmup",
                notes=join_notes(cell("notes"), cell("workout_notes")),
                note_key=key,
            )
            classify_app_entry(entry, row, header("exercise"), problems)
            if "weight" in cols:
                text = cell("weight") or ""
                try:
                    weight = checked(number(text, table.decimal_comma, "a weight (0 or more)"), "load_kg", text)
                    unit = header_unit
                    if unit_column and unit is None:
                        unit_text = header_key(cell("weight_unit") or "")
                        if unit_text in _KG_WORDS:
                            unit = "kg"
                        elif unit_text in _LB_WORDS:
                            unit = "lb"
                        elif unit_text:
                            problems.add(row, header("weight_unit"),
                                         f"'{(cell('weight_unit') or '').strip()}' is not kg or lbs")
                    if unit is None and weight > 0:
                        unit = "kg"
                        assumed_kg += 1
                    entry.load_kg = weight * LB_TO_KG if unit == "lb" else weight
                except Bad as bad:
                    problems.add(row, header("weight"), str(bad))
            distance_rows += read_set_numbers(entry, row, cell, header, table.decimal_comma, problems,
                                              seconds_field="seconds", distance_fields=("distance",))
            entries.append(entry)
        for entry in entries:
            extra = notes_by_key.get(entry.note_key or ())
            if extra:
                entry.notes = join_notes(entry.notes, *extra)
        if header_unit is None and not unit_column and assumed_kg:
            warnings.append(
                "This Strong export does not say the weight unit (some app versions leave out the 'Weight Unit' "
                "column); weights were read as kilograms. If your Strong app is set to pounds, export again from a "
                "current version of the app."
            )
        elif assumed_kg:
            warnings.append(f"{assumed_kg} weights had no unit and were read as kilograms.")
        if skipped["rest"]:
            n = skipped["rest"]
            warnings.append(f"{n} rest-timer row{'s' if n != 1 else ''} (not sets) left out.")
        if distance_rows:
            warnings.append(distance_warning(distance_rows))
        if unknown_sets:
            shown = ", ".join(f"'{k}'" for k in sorted(unknown_sets))
            warnings.append(f"Unknown Strong set order values read as ordinary sets (they have weights or reps): "
                            f"{shown}.")
        if unknown_rows:
            shown = ", ".join(f"'{k}'" for k in sorted(unknown_rows))
            n = sum(unknown_rows.values())
            warnings.append(f"{n} row{'s' if n != 1 else ''} with the set order {shown} and no weight or reps "
                            "(rest-timer or note rows in a language we do not know) left out.")
        return entries


def _set_kind(order: str) -> str:
    """set, warmup, drop, failure, rest, note or unknown, from a Strong set-order cell."""
    key = header_key(order)
    if not key or key.isdigit():
        return "set"
    if key in _SET_KIND:
        return _SET_KIND[key]
    marker = re.fullmatch(r"([wdf])\d+", key)  # W1 = warm-up 1, D2 = drop set 2, F3 = failure 3
    if marker:
        return {"w": "warmup", "d": "drop", "f": "failure"}[marker.group(1)]
    if "rest" in key:
        return "rest"
    return "unknown"


def _has_lift(cell, decimal_comma: bool) -> bool:
    """The row has a weight or reps above 0 (rest-timer and note rows never do)."""
    for field in ("weight", "reps"):
        text = cell(field)
        if text is not None and is_number(text, decimal_comma) and number(text, decimal_comma, "") > 0:
            return True
    return False


def _language(languages: Counter[str]) -> str | None:
    """The language most header cells are written in (English on a tie: "Date", "RPE" are in several)."""
    best = max(languages.items(), key=lambda kv: (kv[1], kv[0] == "English"), default=(None, 0))
    return best[0]


def _shapes_fit(table: Table, columns: dict[str, int]) -> bool:
    """The first rows' values have the shapes of a Strong export under `columns` (dates, set orders, numbers)."""
    rows = [cells for _, cells in table.rows if any(c.strip() for c in cells)][:_SAMPLE_ROWS]
    if not rows:
        return False
    dated = sum(1 for cells in rows if classify_date(cells[columns["date"]], 0, "", "strong").family)
    named = sum(1 for cells in rows if cells[columns["exercise"]].strip()
                and not is_number(cells[columns["exercise"]], table.decimal_comma))
    if dated < _SHAPE_SHARE * len(rows) or named < _SHAPE_SHARE * len(rows):
        return False
    for field in ("weight", "reps", "seconds", "rpe", "distance", "workout_number"):
        if field not in columns:
            continue
        if any(cells[columns[field]].strip() and not is_number(cells[columns[field]], table.decimal_comma)
               for cells in rows):
            return False
    orders = [cells[columns["set_order"]] for cells in rows]
    if not all(o.strip() for o in orders):
        return False
    return sum(_set_kind(o) != "unknown" for o in orders) >= _SHAPE_SHARE * len(orders) / 2


