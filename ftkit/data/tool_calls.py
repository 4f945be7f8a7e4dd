"""A tool world with confusable tool names and noisy tool-use trajectories (TL-Training, arXiv 2412.15495).

Thirty tools in ten families of three; the tools of a family share a name prefix and most of their request words
(`get_weather`, `get_weather_alert`, `get_water_level`), so picking the tool means reading the few tokens where the
names part. A sample shows `k_tools` tools (the gold tool, one or two of its confusers, the rest drawn from the
pool), a templated user request that carries the argument values, and the gold call `name(key='value', ...)` in the
format of `ftkit.verifiers.tools`.

A *noisy trajectory* (a share `noisy_frac` of the samples) first makes a wrong call -- a confuser tool, a
hallucinated key, a missing key or a tool that is not in the list -- gets an `Output: error: ...` turn whose text
carries one of the error signatures `is_error_output` looks for, and then makes the gold call. `turn_samples` cuts a
trajectory into one prompt/answer sample per assistant turn; with `mae=True` (TL-Training's MAE) a turn whose
output is an error is never a target, though it stays in the context of the later turns.

Rows are plain dicts; every sampler is seeded with `random.Random(string)`.
"""
from __future__ import annotations

import random

from ftkit.verifiers.tools import format_call

VALUES = {
    "city": ["paris", "rome", "oslo", "lima", "cairo", "delhi", "tokyo", "quito"],
    "day": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "river": ["nile", "seine", "rhine", "volga", "amazon"],
    "to": ["ann", "bob", "eve", "joe", "kim", "max", "sam"],
    "topic": ["rent", "trip", "lunch", "exam", "party"],
    "group": ["team", "family", "club", "class"],
    "item": ["milk", "bread", "eggs", "rice", "soap", "tea"],
    "qty": [1, 2, 3, 4, 5, 6],
    "song": ["hey", "halo", "numb", "roar", "yellow"],
    "volume": [1, 2, 3, 4, 5],
    "room": ["kitchen", "hall", "office", "garage"],
    "level": [1, 2, 3, 4, 5],
    "amount": [10, 20, 50, 100, 200],
    "currency": ["usd", "eur", "yen", "gbp"],
    "flight": ["ab12", "cd34", "ef56", "gh78"],
    "seat": ["window", "aisle", "middle"],
    "date": ["may1", "jun2", "jul3", "aug4"],
    "time": ["9am", "noon", "5pm", "8pm"],
    "query": ["cats", "jazz", "tacos", "chess", "yoga"],
    "lang": ["en", "fr", "es", "de"],
}

# family -> [(tool name, keys, request template)]: names share prefixes and requests share words within a family.
FAMILIES = [
    [("get_weather", ["city", "day"], "weather in {city} on {day}"),
     ("get_weather_alert", ["city"], "weather alerts in {city}"),
     ("get_water_level", ["river"], "water level of the {river}")],
    [("send_mail", ["to", "topic"], "mail {to} about {topic}"),
     ("send_mail_group", ["group", "topic"], "mail the {group} about {topic}"),
     ("send_message", ["to"], "message {to}")],
    [("add_item", ["item", "qty"], "add {qty} {item} to my list"),
     ("add_item_cart", ["item"], "add {item} to my cart"),
     ("add_items_order", ["item", "qty"], "order {qty} {item}")],
    [("play_song", ["song"], "play {song}"),
     ("play_song_loud", ["song", "volume"], "play {song} at volume {volume}"),
     ("play_playlist", ["song"], "play the playlist with {song}")],
    [("set_light", ["room", "level"], "set the {room} light to {level}"),
     ("set_light_off", ["room"], "turn the {room} light off"),
     ("set_lock", ["room"], "lock the {room}")],
    [("pay_bill", ["amount", "currency"], "pay the bill of {amount} {currency}"),
     ("pay_friend", ["to", "amount"], "pay {to} {amount}"),
     ("pay_friend_currency", ["to", "amount", "currency"], "pay {to} {amount} in {currency}")],
    [("book_flight", ["flight", "date"], "book flight {flight} on {date}"),
     ("book_flight_seat", ["flight", "seat"], "book a {seat} seat on flight {flight}"),
     ("book_hotel", ["city", "date"], "book a hotel in {city} on {date}")],
    [("find_news", ["query"], "news about {query}"),
     ("find_news_city", ["query", "city"], "news about {query} in {city}"),
     ("find_video", ["query"], "videos about {query}")],
    [("set_alarm", ["time"], "set an alarm at {time}"),
     ("set_alarm_day", ["time", "day"], "set an alarm at {time} on {day}"),
     ("set_reminder", ["topic", "time"], "remind me of {topic} at {time}")],
    [("translate_text", ["query", "lang"], "translate {query} to {lang}"),
     ("translate_page", ["lang"], "translate the page to {lang}"),
     ("transcribe_audio", ["lang"], "transcribe the audio in {lang}")],
]
TOOLS = {name: keys for fam in FAMILIES for name, keys, _ in fam}
TEMPLATES = {name: tpl for fam in FAMILIES for name, _, tpl in fam}
FAMILY_OF = {name: i for i, fam in enumerate(FAMILIES) for name, _, _ in fam}

# The error outputs of a wrong call; each carries a signature that `is_error_output` matches (TL-Training's filter
# matches strings such as "undefined function" and "unexpected keyword" in the tool output).
ERROR_SIGNATURES = ("error:", "undefined function", "unexpected keyword", "missing required argument")
ERROR_KINDS = ("wrong_tool", "hallucinated", "missing", "not_listed")


def is_error_output(text: str) -> bool:
    """MAE's filter: does this tool output say the call failed?"""
    low = text.lower()
    return any(s in low for s in ERROR_SIGNATURES)


def render_tools(toolset: dict[str, list[str]], keys: bool = True) -> str:
    """The System turn: the tools as signatures `name(key, ...)`, or their names only (`keys=False`)."""
    return "; ".join(f"{n}({', '.join(k)})" if keys else n for n, k in toolset.items())


def render(turns: list[tuple[str, str]]) -> str:
    """`Role: content` lines, as in TL-Training's chat template."""
    return "".join(f"{role}: {text}\n" for role, text in turns)


def _wrong_call(rng: random.Random, gold: str, args: dict, toolset: dict, kind: str,
                world: list[str] | None = None) -> tuple[str, str]:
    """A wrong call of the given kind and the error output the environment answers with."""
    if kind == "wrong_tool":
        others = [t for t in toolset if t != gold and FAMILY_OF[t] == FAMILY_OF[gold]] or [t for t in toolset if t != gold]
        name = rng.choice(others)
        bad = {k: args.get(k, rng.choice(VALUES[k])) for k in TOOLS[name]}
        return format_call(name, bad), f"error: wrong tool {name}, missing required argument"
    if kind == "hallucinated":
        extra = rng.choice([k for k in VALUES if k not in TOOLS[gold]])
        bad = dict(args, **{extra: rng.choice(VALUES[extra])})
        return format_call(gold, bad), f"error: unexpected keyword argument '{extra}'"
    if kind == "missing" and len(args) > 1:
        drop = rng.choice(list(args))
        return format_call(gold, {k: v for k, v in args.items() if k != drop}), \
            f"error: missing required argument '{drop}'"
    pool = [t for t in (world or TOOLS) if t not in toolset and FAMILY_OF[t] != FAMILY_OF[gold]] or \
        [t for t in TOOLS if t not in toolset and FAMILY_OF[t] != FAMILY_OF[gold]]
    name = rng.choice(pool)
    return format_call(name, {k: args.get(k, rng.choice(VALUES[k])) for k in TOOLS[name]}), \
        f"error: undefined function {name}"


def tool_calls(n: int, k_tools: int = 3, noisy_frac: float = 0.3, confusers: bool = True, seed: int = 0,
               tools: list[str] | None = None, error_kinds: tuple[str, ...] = ERROR_KINDS,
               show_keys: bool = True, families: list[int] | None = None, quote_values: bool = False) -> list[dict]:
    """`n` tool-use samples. Each row: toolset {name: keys}, gold (name, args), user, call (the gold call text),
    turns [(role, text)] of the whole trajectory (System, User, then Assistant/Output pairs; the last assistant turn
    is the gold call), noisy (bool), error_kind (str or None). `tools` restricts the gold tools (a train/test split);
    with `confusers` the toolset holds at least one other tool of the gold tool's family. `show_keys=False` lists
    the tools by name only in the System turn (shorter prompts; the keys must then be learnt per tool).
    `families` (indices into FAMILIES) restricts the whole world -- gold tools, distractors and the tools of
    `not_listed` errors -- to those families (a small world: e.g. three families, nine tools). `quote_values` writes
    the values in the request as they appear in the call (`'paris'`), so they can be copied token for token."""
    key = f"tool_calls:{n}:{k_tools}:{noisy_frac}:{confusers}:{seed}"
    if families is not None or quote_values:         # new options get their own stream; old calls are unchanged
        key += f":{sorted(families) if families is not None else None}:{quote_values}"
    rng = random.Random(key)
    world = [t for t in TOOLS if families is None or FAMILY_OF[t] in families]
    gold_pool = sorted(tools) if tools else sorted(world)
    rows = []
    for _ in range(n):
        gold = rng.choice(gold_pool)
        fam = [t for t, _, _ in FAMILIES[FAMILY_OF[gold]] if t != gold]
        shown = [gold] + (rng.sample(fam, rng.randint(1, min(2, k_tools - 1))) if confusers else [])
        rest = [t for t in world if t not in shown and (confusers or FAMILY_OF[t] != FAMILY_OF[gold])]
        shown += rng.sample(rest, k_tools - len(shown))
        rng.shuffle(shown)
        toolset = {t: list(TOOLS[t]) for t in shown}
        args = {k: rng.choice(VALUES[k]) for k in TOOLS[gold]}
        user = TEMPLATES[gold].format(**({k: repr(v) for k, v in args.items()} if quote_values else args))
        call = format_call(gold, args)
        turns = [("System", render_tools(toolset, show_keys)), ("User", user)]
        noisy = rng.random() < noisy_frac
        kind = None
        if noisy:
            kind = rng.choice(error_kinds)
            if kind == "missing" and len(args) < 2:
                kind = "hallucinated"
            wrong, out = _wrong_call(rng, gold, args, toolset, kind, world)
            turns += [("Assistant", wrong), ("Output", out)]
        turns += [("Assistant", call)]
        rows.append({"toolset": toolset, "gold": (gold, args), "user": user, "call": call, "turns": turns,
                     "noisy": noisy, "error_kind": kind})
    return rows


def turn_samples(row: dict, mae: bool = True) -> list[dict]:
    """One prompt/answer sample per assistant turn (context = the turns before it, answer = this turn's call).
    With `mae` a turn followed by an error output is dropped as a target (TL-Training's MAE); without it every
    assistant turn is imitated, the erroneous ones included (naive SFT)."""
    turns, out = row["turns"], []
    for i, (role, text) in enumerate(turns):
        if role != "Assistant":
            continue
        nxt = turns[i + 1] if i + 1 < len(turns) else None
        if mae and nxt is not None and nxt[0] == "Output" and is_error_output(nxt[1]):
            continue
        out.append({"prompt": render(turns[:i]) + "Assistant: ", "answer": text, "toolset": row["toolset"],
                    "gold": (row["gold"] if i == len(turns) - 1 else None)})
    return out


def prompt(row: dict) -> str:
    """The test-time prompt: the tools and the request, no earlier turns."""
    return render(row["turns"][:2]) + "Assistant: "


def split_tools(seed: int = 0, held_out: int = 0) -> tuple[list[str], list[str]]:
    """Gold tools for train and test. held_out=0: the same tools (test rows differ in toolsets and values)."""
    names = sorted(TOOLS)
    random.Random(f"split_tools:{seed}").shuffle(names)
    return (names[held_out:], names[:held_out]) if held_out else (names, names)


def add_error_turns(rows: list[dict], noisy_frac: float, seed: int = 0) -> list[dict]:
    """Noisy trajectories for rows of any toolset (e.g. `ftkit.data.hub.glaive_tool_calls`): a share `noisy_frac`
    gets a wrong call before the gold one -- another tool of the toolset, a hallucinated key, or a missing key --
    and an `Output: error: ...` turn. Returns new rows; the input rows are not changed."""
    rng = random.Random(f"add_error_turns:{noisy_frac}:{seed}")
    out = []
    for r in rows:
        r = dict(r, turns=list(r["turns"]), noisy=False, error_kind=None)
        if rng.random() < noisy_frac:
            name, args = r["gold"]
            kinds = ["hallucinated"] + (["wrong_tool"] if len(r["toolset"]) > 1 else []) + (["missing"] if args else [])
            kind = rng.choice(kinds)
            if kind == "wrong_tool":
                other = rng.choice([t for t in r["toolset"] if t != name])
                wrong = format_call(other, {k: args[k] for k in r["toolset"][other] if k in args})
                err = f"error: wrong tool {other}, missing required argument"
            elif kind == "missing":
                drop = rng.choice(list(args))
                wrong = format_call(name, {k: v for k, v in args.items() if k != drop})
                err = f"error: missing required argument '{drop}'"
            else:
                extra = next(k for k in ("extra", "options", "mode", "verbose") if k not in r["toolset"][name])
                wrong = format_call(name, dict(args, **{extra: "yes"}))
                err = f"error: unexpected keyword argument '{extra}'"
            r["turns"] = r["turns"][:-1] + [("Assistant", wrong), ("Output", err), r["turns"][-1]]
            r["noisy"], r["error_kind"] = True, kind
        out.append(r)
    return out
