"""The benchmark's table, ratios against the stock bot, JSON and chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Issue 7's targets: (figure, how it is compared, bound).
TARGETS = [
    ("p50 at 1 user vs stock", "ratio_p50_1", "<=", 0.5),
    ("throughput at 20 users vs stock", "ratio_throughput_20", ">=", 2.0),
    ("time to first answer vs stock", "ratio_first_answer", "<=", 0.5),
    ("full training, seconds", "train_seconds", "<", 240),
    ("peak RSS of the Rasa server, MB", "rss_mb", "<", 1200),
]


def ratios(results: dict[str, Any], headline: str) -> dict[str, float]:
    stock, ours = results["servers"]["stock"], results["servers"][headline]
    faq = ours["scenarios"]["faq"]
    turn = stock["scenarios"]["turn"]
    sequential = round(faq["1"]["p50_ms"] / turn["1"]["p50_ms"], 2)
    paired = results.get("paired_p50_1") or {}
    if headline in paired and "stock" in paired:  # side by side: the figure the target reads
        p50 = round(paired[headline]["p50_ms"] / paired["stock"]["p50_ms"], 2)
    else:
        p50 = sequential
    return {
        "ratio_p50_1": p50,
        "ratio_p50_1_sequential": sequential,
        "ratio_throughput_20": round(
            faq["20"]["throughput_per_s"] / turn["20"]["throughput_per_s"], 2
        ),
        "ratio_first_answer": round(
            ours["seconds_to_first_answer"] / stock["seconds_to_first_answer"], 2
        ),
        "train_seconds": results["training_seconds"]["ivig"],
        "rss_mb": ours["peak_rss_mb"]["rasa"],
    }


def distance_to_floor(results: dict[str, Any], headline: str) -> dict[str, float]:
    """How far this bot and the stock bot are from Rasa's server with no machine learning."""
    floor = results["servers"]["floor"]["scenarios"]["turn"]
    ours = results["servers"][headline]["scenarios"]["faq"]
    stock = results["servers"]["stock"]["scenarios"]["turn"]
    return {
        "floor_p50_1_ms": floor["1"]["p50_ms"],
        "floor_throughput_20": floor["20"]["throughput_per_s"],
        "times_floor_p50_1": round(ours["1"]["p50_ms"] / floor["1"]["p50_ms"], 2),
        "share_of_floor_throughput_20": round(
            ours["20"]["throughput_per_s"] / floor["20"]["throughput_per_s"], 2
        ),
        "stock_times_floor_p50_1": round(stock["1"]["p50_ms"] / floor["1"]["p50_ms"], 2),
        "stock_share_of_floor_throughput_20": round(
            stock["20"]["throughput_per_s"] / floor["20"]["throughput_per_s"], 2
        ),
    }


def verdicts(figures: dict[str, float]) -> list[tuple[str, float, str, float, bool]]:
    rows = []
    for label, key, op, bound in TARGETS:
        value = figures[key]
        met = {"<=": value <= bound, ">=": value >= bound, "<": value < bound}[op]
        rows.append((label, value, op, bound, met))
    return rows


def table(results: dict[str, Any]) -> str:
    lines = [
        f"{'server':<12} {'scenario':<10} {'users':>5} {'req':>5} {'err':>4} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'msg/s':>7}"
    ]
    for name, server in results["servers"].items():
        for scenario, by_users in server["scenarios"].items():
            for users, f in by_users.items():
                lines.append(
                    f"{name:<12} {scenario:<10} {users:>5} {f['requests']:>5} {f['errors']:>4} "
                    f"{f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} {f['p99_ms']:>8.1f} "
                    f"{f['throughput_per_s']:>7.1f}"
                )
    if results.get("paired_p50_1"):
        lines.append("")
        lines.append("p50 at 1 user, side by side in alternating rounds: " + ", ".join(
            f"{name} {f['p50_ms']:.1f} ms ({f['requests']} messages)"
            for name, f in results["paired_p50_1"].items()))  # fmt: skip
    lines.append("")
    lines.append(f"{'server':<12} {'first answer s':>15} {'peak RSS MB (rasa / actions)':>30}")
    for name, server in results["servers"].items():
        rss = server["peak_rss_mb"]
        lines.append(
            f"{name:<12} {server['seconds_to_first_answer']:>15.1f} "
            f"{rss['rasa']:>19.0f} / {rss.get('actions', 0):.0f}"
        )
    lines.append("")
    lines.append(
        f"{'server':<14} {'long conversation: p50 of the first 10 turns -> the last 10':>60}"
    )
    for name, server in results["servers"].items():
        long = server["long_conversation"]
        if long:
            lines.append(
                f"{name:<14} {long['first_10_p50_ms']:>8.1f} ms -> {long['last_10_p50_ms']:.1f} ms "
                f"(turn {long['turns']})"
            )
    lines.append("")
    lines.append("training from scratch: " + ", ".join(
        f"{k} {v:.0f} s" for k, v in results["training_seconds"].items()))  # fmt: skip
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    servers = results["servers"]
    names = list(servers)
    colours = ["#c0c0c0", "#8c8c8c", "#1f6f8b", "#2e8b57", "#b8860b"][: len(names)]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    for ax, users in zip(axes[0], ("1", "20"), strict=True):
        labels, values, bar_colours = [], [], []
        for colour, name in zip(colours, names, strict=True):
            for scenario, by_users in servers[name]["scenarios"].items():
                labels.append(f"{name}\n{scenario}")
                values.append(by_users[users]["p50_ms"])
                bar_colours.append(colour)
        ax.bar(labels, values, color=bar_colours)
        ax.set_title(
            f"p50 latency, {users} user{'s' if users != '1' else ''} (ms, lower is better)"
        )
        ax.tick_params(axis="x", labelsize=7)
    ax = axes[1][0]
    labels, values, bar_colours = [], [], []
    for colour, name in zip(colours, names, strict=True):
        for scenario, by_users in servers[name]["scenarios"].items():
            labels.append(f"{name}\n{scenario}")
            values.append(by_users["20"]["throughput_per_s"])
            bar_colours.append(colour)
    ax.bar(labels, values, color=bar_colours)
    ax.set_title("throughput at 20 users (messages/s, higher is better)")
    ax.tick_params(axis="x", labelsize=7)
    ax = axes[1][1]
    ax.bar(names, [servers[n]["seconds_to_first_answer"] for n in names], color=colours)
    ax.set_title("process start to first answer (s, lower is better)")
    fig.suptitle(f"IVIG assistant vs stock `rasa init` bot and the floor, Rasa {results['rasa']}, "
                 f"{results['cpus']} CPUs")  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    data, picture = folder / "bench.json", folder / "bench.png"
    data.write_text(json.dumps(results, indent=2))
    chart(results, picture)
    return data, picture
