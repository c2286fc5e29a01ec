"""Where a line of text may break: at spaces outside brackets, so that a formula in a title stays whole (no ManimGL)."""

OPEN, CLOSE = "([{", ")]}"


def phrases(text: str) -> list[str]:
    """The text's words, those inside an open bracket joined to the word that opens it: "½((x − 2)² + 1), λ = 1"
    → ["½((x − 2)² + 1),", "λ", "=", "1"]."""
    out, depth = [], 0
    for word in text.split(" "):
        if depth > 0 and out:
            out[-1] += " " + word
        else:
            out.append(word)
        depth = max(0, depth + sum(word.count(c) for c in OPEN) - sum(word.count(c) for c in CLOSE))
    return out


def greedy_lines(text: str, fits) -> list[str]:
    """The text broken into lines that fits(line) accepts, filled greedily, at the breaks `phrases` allows; a
    phrase too wide alone is broken at its own spaces."""
    lines, line = [], ""
    for phrase in phrases(text):
        pieces = [phrase] if fits(phrase) else phrase.split(" ")
        for piece in pieces:
            trial = f"{line} {piece}".strip()
            if line and not fits(trial):
                lines.append(line)
                trial = piece
            line = trial
    return [*lines, line]
