"""Procedural SVG illustrations: portraits for people, item studies and landscape scenes.

Every drawing is a self-contained 256x256 SVG (no external references), deterministic
for (content, seed). Gradient ids carry a seed-derived prefix so several drawings can be
inlined in one HTML page without clashing.
"""

from __future__ import annotations

import math
from random import Random
from xml.sax.saxutils import escape

from .base import Content
from .campaign import CampaignContent
from .character import CharacterContent
from .encounter import EncounterContent
from .item import ItemContent
from .npc import NpcContent
from .people import MOOD_EXPRESSION
from .quest import QuestContent
from .world import WorldContent

# ------------------------------------------------------------------ colours
SKIN_HEX = {
    "pale": "#f3d9c4", "fair": "#f1c9a5", "freckled": "#eab894", "olive": "#c9a074", "tan": "#d2a06d",
    "brown": "#a0694a", "deep brown": "#6f4631", "ebony": "#4a2f22", "ruddy": "#d99a7a", "bronze": "#b07a4a",
    "alabaster": "#f7ede4", "golden": "#e0b77c", "copper": "#c07a52", "dusky": "#8b6a5c", "moon-pale": "#e9e6ef",
    "weathered": "#c08c66", "ashen": "#a7a29c", "rosy": "#f0b9a0", "walnut": "#8a5a3c", "grey-green": "#8fa184",
    "olive-green": "#7c8f55", "sage": "#9bae8a", "grey": "#9a9a9a", "mossy": "#6f8a4f", "jade": "#5f9a78",
    "crimson": "#b3303a", "scarlet": "#c73b3b", "plum": "#7d3c6b", "lavender": "#b49ac9", "ash-grey": "#8c8790",
    "deep red": "#8e2a2a", "violet": "#7b4fa6", "rose": "#d98a9a",
    # dragonborn scales
    "brass": "#c9a227", "gold": "#d9b23a", "silver": "#b8c0c8", "white": "#e3e8ec", "black": "#3a3a44",
    "blue": "#3f6fb5", "green": "#3f8f5a", "red": "#b5392f",
}
HAIR_HEX = {
    "black": "#1f1b1a", "dark brown": "#3d2a1e", "chestnut": "#6b3a22", "auburn": "#8a3b1f", "copper-red": "#b4542a",
    "blond": "#d8b65a", "ash-blond": "#bfb08a", "grey": "#8d8d8d", "white": "#e8e8e8", "raven-black": "#121318",
    "sandy": "#c9a46a", "silver": "#c8ccd4", "golden": "#d9a93a", "pale blond": "#e6d49a", "ginger": "#c0612b",
    "teal": "#2f8f8f", "pink": "#e07aa8", "plum": "#5b2a4e", "deep red": "#6e1b1b", "blue-black": "#1a2238",
}
EYE_HEX = {
    "brown": "#5a3a20", "blue": "#3b7dd8", "green": "#3c8f4a", "grey": "#8a96a0", "hazel": "#8a6a2f", "amber": "#d08a1c",
    "dark": "#2a1a10", "violet": "#8a4fd0", "silver": "#aab4bc", "emerald": "#1f9e5a", "golden": "#e0b020",
    "red": "#d02a2a", "black": "#111111", "yellow": "#e0d020",
}
# look key -> (clothing, accent, background top, background bottom, headgear, emblem)
LOOKS = {
    "barbarian": ("#7a4a2a", "#c0392b", "#3b1f14", "#a0522d", "warpaint", "axe"),
    "bard": ("#8e44ad", "#f1c40f", "#2c1840", "#9b59b6", "feather", "note"),
    "cleric": ("#e8e2d0", "#d4a017", "#1f2d4a", "#5d7fb3", "cowl", "sun"),
    "druid": ("#4a7a3a", "#a3c45a", "#14301c", "#4f7f3a", "antlers", "leaf"),
    "fighter": ("#7f8c8d", "#c0392b", "#1e2428", "#5f6b73", "helm", "sword"),
    "monk": ("#d35400", "#f5cba7", "#3a200e", "#c2762e", "headband", "circle"),
    "paladin": ("#bdc3c7", "#f1c40f", "#2b2f4a", "#b8a05a", "plume", "shield"),
    "ranger": ("#3b5a2a", "#8d6e3f", "#16261a", "#56754a", "hood", "arrow"),
    "rogue": ("#2c2c34", "#8b1e1e", "#0e0f14", "#3b3f4a", "hood", "dagger"),
    "sorcerer": ("#b03030", "#f39c12", "#2a0e1a", "#8e2a4a", "circlet", "star"),
    "warlock": ("#3d1f4f", "#b07cff", "#0b0612", "#3a1d4d", "hood", "eye"),
    "wizard": ("#2c3e8f", "#f1c40f", "#0f1636", "#35509a", "wizard", "star"),
    # NPC roles
    "merchant": ("#8a5a2b", "#f1c40f", "#2e2414", "#a5824a", "cap", "coin"),
    "innkeeper": ("#7b5b3a", "#e8dcc0", "#2b1d12", "#9c6b3c", "none", "mug"),
    "guard": ("#6c7a89", "#2e5fa1", "#1b2430", "#56708f", "helm", "shield"),
    "noble": ("#6d1f3f", "#f1c40f", "#1e0f24", "#7a3a6a", "crown", "coin"),
    "priest": ("#e8e2d0", "#d4a017", "#1f2d4a", "#5d7fb3", "cowl", "sun"),
    "scholar": ("#3e4a7a", "#d9c27a", "#141a30", "#4b5a8f", "wizard", "book"),
    "criminal": ("#2c2c34", "#8b1e1e", "#0e0f14", "#3b3f4a", "hood", "dagger"),
    "farmer": ("#8d7a3a", "#6a8f3a", "#2e3a1a", "#9fb06a", "straw", "leaf"),
    "sailor": ("#2d4f7c", "#e8e8e8", "#10253d", "#3f6fa0", "bandana", "anchor"),
    "blacksmith": ("#4a3a30", "#e67e22", "#1c1410", "#7a4a2a", "headband", "hammer"),
    "hunter": ("#4a5a2a", "#8d6e3f", "#16261a", "#56754a", "hood", "arrow"),
    "healer": ("#6f8f6a", "#e8e2d0", "#1c2e24", "#6f9f80", "kerchief", "leaf"),
    "mercenary": ("#5a5048", "#8b1e1e", "#1e1a18", "#6a5a50", "helm", "sword"),
    "cultist": ("#4a0f16", "#d4a017", "#0c0406", "#4a1420", "hood", "eye"),
    "spy": ("#24262e", "#6a7a8a", "#0a0c10", "#343a46", "hood", "eye"),
}
RARITY_HEX = {"common": "#b8c0c8", "uncommon": "#2ecc71", "rare": "#3498db", "very rare": "#a55eea", "legendary": "#f5a623"}
ELEMENT_HEX = {"fire": "#ff6a00", "frost": "#8fe3ff", "lightning": "#ffe94d", "thunder": "#a0a8ff", "poison": "#6fdc3a",
               "acid": "#b5e61d", "radiant": "#fff2a8", "necrotic": "#7a3fb0", "psychic": "#ff5fd2", "force": "#8fb8ff"}
# scene palettes: sky top, sky bottom, far ridge, near ridge, ground, sun/moon, prop
SCENES = {
    "forest": ("#f2a65a", "#f7e1b0", "#8aa37b", "#4d6b45", "#2f4a2c", "#fff3c4", "pine"),
    "swamp": ("#35413a", "#8e9c72", "#5f6e55", "#43503f", "#27322a", "#d8e0a8", "deadtree"),
    "mountain": ("#5b8fc7", "#dbe9f5", "#9fb3c8", "#6b7f96", "#4a5a48", "#ffffff", "peak"),
    "desert": ("#e9822e", "#fde2a0", "#e0a860", "#c98a44", "#b8763a", "#fff6d0", "cactus"),
    "arctic": ("#7fa6d6", "#eef4fa", "#c9d8e8", "#a9bfd6", "#e8f0f8", "#ffffff", "snowpine"),
    "coast": ("#f08a5d", "#ffd59e", "#a98aa0", "#6a6a8a", "#2f5f8a", "#fff0c0", "lighthouse"),
    "underdark": ("#07060e", "#2a1f3d", "#241a33", "#181226", "#120e1c", "#9f7bff", "crystal"),
    "dungeon": ("#120e0a", "#3d2f22", "#2e241a", "#231b14", "#17120d", "#ffb347", "arch"),
    "urban": ("#2c3e66", "#e08e5a", "#55506e", "#3a3650", "#262338", "#ffe9b0", "city"),
    "grassland": ("#6fb8ea", "#e6f5ff", "#9cc38a", "#6f9f58", "#4f7f3a", "#fffbe0", "tree"),
    "ruins": ("#a98bc9", "#f4d9c6", "#b9a3b8", "#8a7a90", "#5f5366", "#fff1d6", "columns"),
    "volcanic": ("#2a0f0a", "#c2431c", "#5a2a20", "#3a1a14", "#1e0e0a", "#ffb000", "volcano"),
}
CLIMATE_SCENE = {"temperate": "grassland", "tropical": "forest", "arid": "desert", "arctic": "arctic",
                 "maritime": "coast", "volcanic": "volcanic"}
THEME_SCENE = {"heroic": "mountain", "horror": "swamp", "intrigue": "urban", "war": "volcanic", "exploration": "coast",
               "mystery": "urban", "rescue": "forest", "heist": "urban", "escort": "grassland", "hunt": "forest",
               "exploration_q": "ruins"}


def _mix(c1: str, c2: str, t: float) -> str:
    a, b = int(c1[1:], 16), int(c2[1:], 16)
    r = int(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t)
    g = int(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t)
    bl = int((a & 255) * (1 - t) + (b & 255) * t)
    return f"#{r:02x}{g:02x}{bl:02x}"


def _dark(c: str, t: float = 0.35) -> str:
    return _mix(c, "#000000", t)


def _light(c: str, t: float = 0.35) -> str:
    return _mix(c, "#ffffff", t)


def _doc(pid: str, title: str, defs: str, body: list[str], frame: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" height="256" role="img">'
        f"<title>{escape(title)}</title><defs>{defs}</defs>{''.join(body)}"
        f'<rect x="5" y="5" width="246" height="246" rx="16" fill="none" stroke="{frame}" stroke-width="6"/>'
        f'<rect x="12" y="12" width="232" height="232" rx="11" fill="none" stroke="{_light(frame, 0.4)}" '
        f'stroke-opacity="0.6" stroke-width="1.5"/>'
        + f'<path d="M8 3l5 5l-5 5l-5-5zM248 3l5 5l-5 5l-5-5zM8 243l5 5l-5 5l-5-5zM248 243l5 5l-5 5l-5-5z" fill="{frame}"/>'
        + "</svg>"
    )


def _lin(pid: str, name: str, top: str, bottom: str, horizontal: bool = False) -> str:
    x2, y2 = ("1", "0") if horizontal else ("0", "1")
    return (f'<linearGradient id="{pid}{name}" x1="0" y1="0" x2="{x2}" y2="{y2}"><stop offset="0" stop-color="{top}"/>'
            f'<stop offset="1" stop-color="{bottom}"/></linearGradient>')


def _rad(pid: str, name: str, inner: str, outer: str, o_in: float = 1.0, o_out: float = 0.0) -> str:
    return (f'<radialGradient id="{pid}{name}"><stop offset="0" stop-color="{inner}" stop-opacity="{o_in}"/>'
            f'<stop offset="1" stop-color="{outer}" stop-opacity="{o_out}"/></radialGradient>')


# ------------------------------------------------------------------ portraits
EMBLEMS = {
    "axe": "M-2 -9h4v18h-4z M2 -9c7 1 9 5 9 9c-4-2-6-2-9-1z M-2 -9c-7 1-9 5-9 9c4-2 6-2 9-1z",
    "note": "M-1 -10h3v14a4 3 0 1 1-3-3z M2 -10c4 1 6 3 6 6c-2-2-4-2-6-2z",
    "sun": "M0 -11l3 7l7-3l-3 7l7 3l-7 3l3 7l-7-3l-3 7l-3-7l-7 3l3-7l-7-3l7-3l-3-7l7 3z",
    "leaf": "M0 -11c8 5 8 15 0 21c-8-6-8-16 0-21z M0 -8v18",
    "sword": "M-1.5 -12h3v15h-3z M-6 3h12v2.5h-12z M-1.5 5.5h3v6h-3z",
    "circle": "M0 -10a10 10 0 1 1 0 20a10 10 0 1 1 0-20z M0 -6a6 6 0 1 0 0 12a6 6 0 1 0 0-12z",
    "shield": "M-9 -10h18v8c0 8-5 12-9 14c-4-2-9-6-9-14z",
    "arrow": "M0 -12l5 6h-3v14h-4v-14h-3z M-4 8l4 4l4-4",
    "dagger": "M0 -12l2.5 4v10h-5v-10z M-5 2h10v2.5h-10z M-1.2 4.5h2.4v6h-2.4z",
    "star": "M0 -11l3 7.5h8l-6.5 5l2.5 8l-7-5l-7 5l2.5-8l-6.5-5h8z",
    "eye": "M-11 0c6-9 16-9 22 0c-6 9-16 9-22 0z M0 -4a4 4 0 1 1 0 8a4 4 0 1 1 0-8z",
    "coin": "M0 -10a10 10 0 1 1 0 20a10 10 0 1 1 0-20z M-3 -5h6v10h-6z",
    "mug": "M-7 -8h11v16h-11z M4 -4h4v8h-4z",
    "book": "M-10 -8h9l1 2l1-2h9v16h-9l-1 2l-1-2h-9z",
    "anchor": "M-1.5 -11h3v17h-3z M-6 -7h12v2.5h-12z M-9 2c1 7 17 7 18 0l-3 1c-2 4-10 4-12 0z",
    "hammer": "M-1.5 -4h3v16h-3z M-8 -11h16v8h-16z",
}
EXPR_MOUTH = {
    "smile": "M{l} {y}q{hw} 9 {w} 0",
    "grin": "M{l} {y}q{hw} 12 {w} 0z",
    "frown": "M{l} {y2}q{hw} -8 {w} 0",
    "sad": "M{l} {y2}q{hw} -5 {w} 0",
    "smirk": "M{l} {y}q{hw} 2 {w} -5",
    "neutral": "M{l} {y}h{w}",
    "determined": "M{l} {y}q{hw} -2 {w} 0",
    "worried": "M{l} {y}q{q} -3 {hw} 0t{hw} 0",
    "surprised": "",
    "calm": "M{l} {y}q{hw} 5 {w} 0",
}
# brow tilt: inner end offset (negative = raised inner ends)
EXPR_BROW = {"smile": 0, "grin": -1, "frown": 4, "sad": -4, "smirk": 1, "neutral": 0, "determined": 3, "worried": -4,
             "surprised": -5, "calm": 0}


def _portrait(c: Content, seed: int, look_key: str, mood: str, pid: str) -> str:
    rng = Random(seed)
    r = rng.random
    ancestry = getattr(c, "ancestry", "human")
    cloth, accent, bg1, bg2, headgear, emblem = LOOKS.get(look_key, LOOKS["fighter"])
    skin = SKIN_HEX.get(c.skin, "#d2a06d")
    hair = HAIR_HEX.get(c.hair)
    eye = EYE_HEX.get(c.eyes, "#5a3a20")
    expr = MOOD_EXPRESSION.get(mood, "neutral")
    app = c.appearance.lower()
    if r() < 0.3:
        headgear = "none"

    # head geometry by ancestry
    hx, hy, rx, ry = 128, 116, 40, 49
    if ancestry == "dwarf":
        rx, ry, hy = 45, 45, 122
    elif ancestry == "elf":
        rx, ry = 35, 51
    elif ancestry in ("halfling", "gnome"):
        rx, ry, hy = 42, 43, 124
    elif ancestry == "half-orc":
        rx, ry = 45, 49
    elif ancestry == "dragonborn":
        rx, ry = 38, 50
    defs = (_lin(pid, "bg", bg1, bg2) + _rad(pid, "halo", _light(bg2, 0.5), bg2, 0.9, 0.0)
            + _lin(pid, "cl", _light(cloth, 0.15), _dark(cloth, 0.35))
            + f'<radialGradient id="{pid}sk" cx="0.42" cy="0.38" r="0.7"><stop offset="0" stop-color="{_light(skin, 0.18)}"/>'
            f'<stop offset="1" stop-color="{_dark(skin, 0.22)}"/></radialGradient>')
    b: list[str] = [f'<rect width="256" height="256" fill="url(#{pid}bg)"/>',
                    f'<circle cx="128" cy="112" r="98" fill="url(#{pid}halo)"/>']
    # background motes
    motes = "".join(f'<circle cx="{int(20 + r() * 216)}" cy="{int(20 + r() * 140)}" r="{1 + int(r() * 3)}"/>' for _ in range(6))
    b.append(f'<g fill="{_light(bg2, 0.6)}" fill-opacity="0.5">{motes}</g>')
    dark_hair = _dark(hair, 0.3) if hair else None
    # long back hair
    if hair and r() < 0.55 and ancestry != "dwarf":
        b.append(f'<path d="M{hx - rx - 6} {hy - 10}c-4 40 -2 70 8 90h{2 * rx - 4}c10-20 12-50 8-90z" fill="{dark_hair}"/>')
    # shoulders and torso
    b.append(f'<path d="M28 256c2-44 28-62 68-68h64c40 6 66 24 68 68z" fill="url(#{pid}cl)"/>')
    b.append(f'<path d="M96 188l32 30l32-30" fill="none" stroke="{accent}" stroke-width="5" stroke-linejoin="round"/>')
    b.append(f'<path d="M44 256c4-30 18-44 40-52M212 256c-4-30-18-44-40-52" fill="none" stroke="{_dark(cloth, 0.45)}" stroke-width="3"/>')
    b.append(f'<g transform="translate(128 234) scale(1.1)" fill="{accent}" fill-rule="evenodd" stroke="{_dark(accent, 0.5)}" '
             f'stroke-width="0.8"><path d="{EMBLEMS[emblem]}"/></g>')
    # neck
    b.append(f'<path d="M{hx - 15} {hy + ry - 14}h30v{196 - hy - ry + 14}c-8 6-22 6-30 0z" fill="{_dark(skin, 0.28)}"/>')
    # ears (behind head)
    ear = _dark(skin, 0.1)
    if ancestry == "elf":
        for s in (-1, 1):
            b.append(f'<path d="M{hx + s * (rx - 6)} {hy - 2}l{s * 34} -30l{-s * 22} 44z" fill="{ear}"/>')
    elif ancestry in ("gnome", "halfling"):
        for s in (-1, 1):
            b.append(f'<path d="M{hx + s * (rx - 6)} {hy - 6}c{s * 22} -18 {s * 26} 10 {s * 4} 22z" fill="{ear}"/>')
    elif ancestry == "half-orc":
        for s in (-1, 1):
            b.append(f'<path d="M{hx + s * (rx - 4)} {hy - 6}l{s * 16} -10l{-s * 8} 22z" fill="{ear}"/>')
    elif ancestry == "dragonborn":
        for s in (-1, 1):
            b.append(f'<path d="M{hx + s * (rx - 10)} {hy - 20}l{s * 30} 6l{-s * 20} 12l{s * 18} 8l{-s * 26} 6z" '
                     f'fill="{_dark(skin, 0.25)}"/>')
    else:
        for s in (-1, 1):
            b.append(f'<ellipse cx="{hx + s * (rx - 1)}" cy="{hy + 2}" rx="8" ry="12" fill="{ear}"/>')
    # horns
    if ancestry in ("tiefling", "dragonborn"):
        horn = "#3a2e2a" if ancestry == "tiefling" else _light(skin, 0.45)
        for s in (-1, 1):
            x0 = hx + s * 16
            if "ram" in app:
                d = f"M{x0} {hy - ry + 14}c{s * 30} -26 {s * 46} 6 {s * 26} 26c{s * 4} -16 {-s * 6} -24 {-s * 18} -14z"
            elif "stubby" in app:
                d = f"M{x0} {hy - ry + 12}l{s * 8} -16l{s * 6} 18z"
            elif "straight" in app:
                d = f"M{x0} {hy - ry + 12}l{s * 10} -46l{s * 6} 48z"
            else:
                d = f"M{x0} {hy - ry + 12}c{s * 14} -20 {s * 30} -28 {s * 48} -30c{-s * 16} 10 {-s * 28} 24 {-s * 36} 38z"
            b.append(f'<path d="{d}" fill="{horn}" stroke="{_dark(horn, 0.4)}" stroke-width="1.5"/>')
    # hood or cowl: the back layer sits behind the head
    hooded = headgear in ("hood", "cowl")
    if hooded:
        hc = _dark(cloth, 0.1) if headgear == "hood" else cloth
        b.append(f'<path d="M{hx - rx - 18} {hy}c0-{ry + 26} {2 * rx + 36} -{ry + 26} {2 * rx + 36} 0l14 {196 - hy}h-{2 * rx + 64}z" '
                 f'fill="{_dark(hc, 0.25)}"/>')

    # head
    if ancestry == "dragonborn":
        b.append(f'<path d="M{hx - rx} {hy - 10}c0-40 {2 * rx} -40 {2 * rx} 0v20c0 22-12 34-{rx} 38c-{rx - 12} -4-{rx} -16-{rx} -38z" '
                 f'fill="url(#{pid}sk)"/>')
        for i in range(5):
            b.append(f'<path d="M{hx - 20 + i * 10} {hy - 34}l5 6l5-6" fill="none" stroke="{_dark(skin, 0.3)}" stroke-width="1.5"/>')
    else:
        b.append(f'<ellipse cx="{hx}" cy="{hy}" rx="{rx}" ry="{ry}" fill="url(#{pid}sk)"/>')
    if "freckled" in c.skin or (ancestry in ("halfling", "gnome", "human") and r() < 0.2):
        for i in range(6):
            b.append(f'<circle cx="{hx - 22 + (i % 3) * 5 + (i // 3) * 30}" cy="{hy + 12 + (i % 2) * 3}" r="1.3" '
                     f'fill="{_dark(skin, 0.3)}"/>')
    # cheeks
    b.append(f'<ellipse cx="{hx - rx + 14}" cy="{hy + 14}" rx="8" ry="5" fill="#e05a5a" fill-opacity="0.18"/>'
             f'<ellipse cx="{hx + rx - 14}" cy="{hy + 14}" rx="8" ry="5" fill="#e05a5a" fill-opacity="0.18"/>')
    # eyes
    ey = hy - 4
    brow = EXPR_BROW.get(expr, 0)
    patch = "eyepatch" in app
    for s in (-1, 1):
        ex = hx + s * 15
        if patch and s == 1:
            b.append(f'<path d="M{hx - rx + 4} {ey - 22}L{hx + rx - 2} {ey + 6}" stroke="#111" stroke-width="2.5"/>'
                     f'<ellipse cx="{ex}" cy="{ey}" rx="9" ry="7" fill="#1a1a1a"/>')
            continue
        if ancestry == "dragonborn":
            b.append(f'<ellipse cx="{ex}" cy="{ey}" rx="7" ry="5" fill="{eye}"/>'
                     f'<rect x="{ex - 1}" y="{ey - 5}" width="2" height="10" fill="#111"/>')
        else:
            b.append(f'<ellipse cx="{ex}" cy="{ey}" rx="8" ry="{6 if expr != "surprised" else 7}" fill="#fbfbf8"/>'
                     f'<circle cx="{ex + (1 if expr == "smirk" else 0)}" cy="{ey}" r="4.2" fill="{eye}"/>'
                     f'<circle cx="{ex}" cy="{ey}" r="2" fill="#111"/><circle cx="{ex + 1.5}" cy="{ey - 1.5}" r="1" fill="#fff"/>')
            if expr == "calm":
                b.append(f'<path d="M{ex - 8} {ey - 1}q8 -7 16 0v-7h-16z" fill="{_dark(skin, 0.1)}"/>')
        # brow: outer end at ey-12, inner end at ey-12+brow
        bc = dark_hair or _dark(skin, 0.5)
        outer, inner = ex + s * 9, ex - s * 7
        b.append(f'<path d="M{outer} {ey - 12}L{inner} {ey - 12 + brow}" stroke="{bc}" stroke-width="3.5" stroke-linecap="round"/>')
    # beard (under nose and mouth)
    if hair and (ancestry == "dwarf" or (ancestry in ("human", "half-orc") and r() < 0.3)):
        long = 44 if ancestry == "dwarf" else 12
        by = hy + ry + long - 18
        b.append(f'<path d="M{hx - rx + 5} {hy + 4}Q{hx - rx + 2} {by} {hx} {by + 8}Q{hx + rx - 2} {by} {hx + rx - 5} {hy + 4}'
                 f'Q{hx + rx - 10} {hy + 22} {hx + 13} {hy + 22}Q{hx} {hy + 17} {hx - 13} {hy + 22}Q{hx - rx + 10} {hy + 22} {hx - rx + 5} {hy + 4}z" '
                 f'fill="{hair}" stroke="{dark_hair}" stroke-width="1.5"/>')
        for k in (-1, 0, 1):
            b.append(f'<path d="M{hx + k * 14} {hy + 34}q{k * 4} {long // 2} {k * 2} {long - 6}" fill="none" stroke="{dark_hair}" '
                     f'stroke-width="2" stroke-opacity="0.6"/>')
        if ancestry == "dwarf":
            b.append(f'<rect x="{hx - 5}" y="{by - 10}" width="10" height="8" rx="2" fill="#c9a227" stroke="#7a5a10"/>')

    # nose
    nose_d = _dark(skin, 0.3)
    if ancestry == "half-orc":
        b.append(f'<path d="M{hx - 6} {hy + 14}q6 5 12 0" fill="none" stroke="{nose_d}" stroke-width="2.5"/>')
    elif ancestry == "gnome":
        b.append(f'<ellipse cx="{hx}" cy="{hy + 10}" rx="11" ry="12" fill="{_dark(skin, 0.1)}" stroke="{_dark(skin, 0.3)}" '
                 f'stroke-width="1.5"/><ellipse cx="{hx - 3}" cy="{hy + 6}" rx="4" ry="3" fill="#ffffff" fill-opacity="0.35"/>')
    elif ancestry == "dragonborn":
        b.append(f'<circle cx="{hx - 5}" cy="{hy + 16}" r="1.8" fill="{nose_d}"/><circle cx="{hx + 5}" cy="{hy + 16}" r="1.8" fill="{nose_d}"/>')
    else:
        b.append(f'<path d="M{hx} {hy}l-4 14h7" fill="none" stroke="{nose_d}" stroke-width="2" stroke-linejoin="round"/>')
    # mouth
    my = hy + 27 if ancestry != "dragonborn" else hy + 30
    if expr == "surprised":
        b.append(f'<ellipse cx="{hx}" cy="{my + 1}" rx="4" ry="5" fill="#5a1e1e"/>')
    else:
        w = 22
        d = EXPR_MOUTH.get(expr, EXPR_MOUTH["neutral"]).format(l=hx - w // 2, y=my, y2=my + 4, w=w, hw=w // 2, q=w // 4)
        fill = "#7a2a2a" if expr == "grin" else "none"
        b.append(f'<path d="{d}" fill="{fill}" stroke="#5a1e1e" stroke-width="2.5" stroke-linecap="round"/>')
    if ancestry == "half-orc":
        for s in (-1, 1):
            b.append(f'<path d="M{hx + s * 8} {my + 2}l{s * 2} -11l{s * 4} 10z" fill="#f4efe0"/>')
    if "scar across" in app or "scar along" in app or "burn scar" in app:
        b.append(f'<path d="M{hx - 26} {hy - 4}l12 24" stroke="{_dark(skin, 0.45)}" stroke-width="2"/>'
                 f'<path d="M{hx - 24} {hy + 4}l6-2M{hx - 20} {hy + 12}l6-2" stroke="{_dark(skin, 0.45)}" stroke-width="1.5"/>')
    if "earring" in app:
        b.append(f'<circle cx="{hx - rx - 1}" cy="{hy + 16}" r="3.5" fill="none" stroke="#e8c14a" stroke-width="2"/>')
    # hair on top
    if hair and not hooded:
        style = int(r() * 3)
        top = hy - ry
        if style == 0:
            d = f"M{hx - rx - 2} {hy - 4}c-2-{ry} {2 * rx + 4} -{ry} {2 * rx + 4} 0c-10-14-24-20-{rx} -12c-12-8-30-6-{rx + 4} 12z"
        elif style == 1:
            d = f"M{hx - rx} {hy - 2}c-6-{ry + 6} {2 * rx + 8} -{ry + 10} {2 * rx} 0l-6-22l-10 10l-8-16l-10 12l-10-14l-8 14l-10-10z"
        else:
            d = (f"M{hx - rx - 3} {hy + 8}c-6-{ry + 12} {2 * rx + 6} -{ry + 16} {2 * rx + 6} -4"
                 f"c-4-10-6-18-10-22c-18 8-40 8-{2 * rx - 16} -6c-6 8-10 20-{-2 * 2 + 10} 32z")
        b.append(f'<path d="{d}" fill="{hair}"/>')
        b.append(f'<path d="M{hx - 20} {top + 10}q14 -6 30 -2" fill="none" stroke="{_light(hair, 0.35)}" stroke-width="2.5" '
                 f'stroke-opacity="0.7"/>')
    if hooded:
        top = hy - ry
        b.append(f'<path d="M{hx - rx - 2} {hy + 6}c0-{ry + 8} {2 * rx + 4} -{ry + 8} {2 * rx + 4} 0v-10c-4-20-20-28-{rx + 2} -28'
                 f'c-{rx - 18} 0-{rx - 2} 8-{rx + 2} 28z" fill="{_dark(hc, 0.35)}" fill-opacity="0.85"/>')
        b.append(f'<path d="M{hx - rx - 4} {hy + 40}C{hx - rx - 10} {top - 14} {hx + rx + 10} {top - 14} {hx + rx + 4} {hy + 40}" fill="none" '
                 f'stroke="{hc}" stroke-width="12" stroke-linecap="round"/>')
        if headgear == "cowl":
            b.append(f'<path d="M{hx - rx - 4} {hy + 40}C{hx - rx - 10} {top - 14} {hx + rx + 10} {top - 14} {hx + rx + 4} {hy + 40}" '
                     f'fill="none" stroke="{accent}" stroke-width="2.5"/>'
                     f'<g transform="translate({hx} {top - 4}) scale(0.5)" fill="{accent}"><path d="{EMBLEMS[emblem]}"/></g>')
        if look_key in ("warlock", "cultist", "spy", "rogue"):
            b.append(f'<ellipse cx="{hx}" cy="{hy - 14}" rx="{rx - 3}" ry="20" fill="#000000" fill-opacity="0.3"/>')
            if look_key in ("warlock", "cultist"):
                for s in (-1, 1):
                    b.append(f'<circle cx="{hx + s * 15}" cy="{ey}" r="3" fill="{accent}"/>')

    # headgear
    hg = headgear
    top = hy - ry
    if hg == "wizard":
        b.append(f'<path d="M{hx - rx - 18} {top + 22}q{rx + 18} -14 {2 * rx + 36} 0l-8 6q-{rx + 10} -10 -{2 * rx + 20} 0z" fill="{cloth}"/>'
                 f'<path d="M{hx - rx + 2} {top + 18}c10-30 30-56 {rx + 30} -70c-8 18-4 40 {rx - 20} 70z" fill="{cloth}"/>'
                 f'<path d="M{hx - rx + 6} {top + 12}q{rx - 6} -8 {2 * rx - 10} 0" fill="none" stroke="{accent}" stroke-width="4"/>'
                 f'<g transform="translate({hx + 4} {top - 16}) scale(0.6)" fill="{accent}"><path d="{EMBLEMS["star"]}"/></g>')
    elif hg in ("helm", "plume"):
        steel = "#9aa4ad" if look_key != "paladin" else "#d9dde0"
        b.append(f'<path d="M{hx - rx - 4} {hy - 6}c0-{ry + 14} {2 * rx + 8} -{ry + 14} {2 * rx + 8} 0h-10c-4-14-12-20-{rx - 6} -20'
                 f'c-{rx - 16} 0-{rx - 10} 6-{rx - 6} 20z" fill="{steel}" stroke="{_dark(steel, 0.45)}" stroke-width="2"/>'
                 f'<rect x="{hx - 3}" y="{top - 6}" width="6" height="{ry - 8}" fill="{_dark(steel, 0.25)}"/>')
        if hg == "plume":
            b.append(f'<path d="M{hx} {top - 8}c10-26 34-30 46-20c-18-2-30 6-40 24z" fill="{accent}"/>')
    elif hg in ("circlet", "crown"):
        if hg == "crown":
            b.append(f'<path d="M{hx - 30} {top + 10}l4-22l10 12l12-18l12 18l10-12l4 22z" fill="#e8c14a" stroke="#9a7a1a" stroke-width="1.5"/>')
        else:
            b.append(f'<path d="M{hx - rx + 4} {top + 20}q{rx - 4} -12 {2 * rx - 8} 0" fill="none" stroke="#e8c14a" stroke-width="3"/>'
                     f'<path d="M{hx} {top + 4}l5 7l-5 7l-5-7z" fill="{accent}" stroke="#9a7a1a"/>')
    elif hg == "antlers":
        for s in (-1, 1):
            b.append(f'<path d="M{hx + s * 18} {top + 12}l{s * 10} -30l{s * 12} -8M{hx + s * 24} {top - 4}l{s * 14} -4'
                     f'M{hx + s * 26} {top - 12}l{s * 2} -14" fill="none" stroke="#8d6e4a" stroke-width="4" stroke-linecap="round"/>')
        b.append(f'<path d="M{hx - rx + 6} {top + 16}q{rx - 6} -10 {2 * rx - 12} 0" fill="none" stroke="{accent}" stroke-width="4" '
                 f'stroke-dasharray="6 3"/>')
    elif hg == "feather" or hg == "cap":
        b.append(f'<path d="M{hx - rx - 6} {top + 24}c0-30 {2 * rx + 12} -36 {2 * rx + 12} -4z" fill="{cloth}" stroke="{_dark(cloth, 0.4)}" stroke-width="1.5"/>')
        if hg == "feather":
            b.append(f'<path d="M{hx + 14} {top + 4}c18-30 40-34 52-30c-20 4-34 14-48 34z" fill="{accent}"/>')
    elif hg == "straw":
        b.append(f'<ellipse cx="{hx}" cy="{top + 20}" rx="{rx + 26}" ry="9" fill="#d9b45a"/>'
                 f'<path d="M{hx - rx + 6} {top + 18}c0-26 {2 * rx - 12} -26 {2 * rx - 12} 0z" fill="#e3c26a"/>'
                 f'<path d="M{hx - rx + 6} {top + 14}h{2 * rx - 12}" stroke="#8b2e2e" stroke-width="4"/>')
    elif hg in ("bandana", "headband", "kerchief"):
        col = accent if hg != "kerchief" else "#c94a4a"
        b.append(f'<path d="M{hx - rx + 1} {top + 26}q{rx - 1} -16 {2 * rx - 2} 0v8q-{rx - 1} -14 -{2 * rx - 2} 0z" fill="{col}"/>'
                 f'<path d="M{hx + rx - 4} {top + 30}l14 10l-4 -14z" fill="{col}"/>')
    elif hg == "warpaint":
        for s in (-1, 1):
            b.append(f'<path d="M{hx + s * 8} {ey + 6}l{s * 22} 4M{hx + s * 10} {ey + 12}l{s * 18} 4" stroke="{accent}" stroke-width="3" '
                     f'stroke-opacity="0.8"/>')
    name = getattr(c, "name", "portrait")
    return _doc(pid, f"Portrait of {name}", defs, b, accent)


# ------------------------------------------------------------------ items
def _item(c: Content, seed: int, pid: str) -> str:
    rng = Random(seed)
    r = rng.random
    glow = RARITY_HEX.get(c.rarity, "#b8c0c8")
    el = ELEMENT_HEX.get(c.element or "", None)
    tint = el or _light(glow, 0.3)
    defs = (_lin(pid, "bg", "#15131c", _mix("#15131c", glow, 0.35)) + _rad(pid, "gl", glow, glow, 0.85, 0.0)
            + _lin(pid, "mt", "#f4f6f8", "#7d8790", True) + _lin(pid, "gd", "#ffe7a0", "#a8741a", True)
            + _rad(pid, "gm", _light(tint, 0.6), _dark(tint, 0.2), 1, 1))
    b: list[str] = [f'<rect width="256" height="256" fill="url(#{pid}bg)"/>']
    tier = ("common", "uncommon", "rare", "very rare", "legendary").index(c.rarity) if c.rarity in RARITY_HEX else 0
    if tier >= 3:
        n = 12 if tier == 4 else 8
        rays = "".join(f'<path d="M128 128L{int(128 + 150 * _cos(i * 360 / n))} {int(128 + 150 * _sin(i * 360 / n))}'
                       f'L{int(128 + 150 * _cos(i * 360 / n + 9))} {int(128 + 150 * _sin(i * 360 / n + 9))}z"/>' for i in range(n))
        b.append(f'<g fill="{glow}" fill-opacity="0.14">{rays}</g>')
    b.append(f'<circle cx="128" cy="128" r="{78 + tier * 8}" fill="url(#{pid}gl)"/>')
    for _ in range(4 + tier * 2):
        x, y = int(24 + r() * 208), int(24 + r() * 208)
        s = 2 + int(r() * 3)
        b.append(f'<path d="M{x} {y - s * 2}l{s // 2 + 1} {s * 2 - 1}l{s * 2} 1l-{s * 2} 1l-{s // 2 + 1} {s * 2 - 1}'
                 f'l-{s // 2 + 1} -{s * 2 - 1}l-{s * 2} -1l{s * 2} -1z" fill="{_light(glow, 0.5)}" fill-opacity="0.8"/>')
    if c.curse:
        for i in range(3):
            x = 70 + i * 55 + int(r() * 10)
            b.append(f'<path d="M{x} 230c-14-20 14-30 0-52c-10-16 8-26 4-40" fill="none" stroke="#5b1f6e" stroke-width="7" '
                     f'stroke-opacity="0.55" stroke-linecap="round"/>')
    shape = getattr(c, "shape", "orb")
    mt, gd, gm = f"url(#{pid}mt)", f"url(#{pid}gd)", f"url(#{pid}gm)"
    blade = mt if not el else f"url(#{pid}bl)"
    if el:
        b[0:0] = []
        defs += _lin(pid, "bl", _light(el, 0.55), _dark(el, 0.15), True)
    o = 'stroke="#1b1a22" stroke-width="2.5" stroke-linejoin="round"'
    g: list[str] = []
    if shape in ("sword", "dagger"):
        ln = 120 if shape == "sword" else 70
        g.append(f'<path d="M-9 0v-{ln}l9-16l9 16v{ln}z" fill="{blade}" {o}/><path d="M0 -{ln + 12}v{ln + 8}" stroke="#ffffff" '
                 f'stroke-opacity="0.5" stroke-width="2"/>')
        g.append(f'<path d="M-30 0h60l-6 10h-48z" fill="{gd}" {o}/><rect x="-6" y="10" width="12" height="38" rx="3" fill="#5a3a22" {o}/>'
                 f'<circle cx="0" cy="54" r="9" fill="{gm}" {o}/>')
        tr = "translate(128 128) rotate(40) translate(0 28)"
    elif shape in ("axe", "hammer"):
        g.append(f'<rect x="-6" y="-70" width="12" height="150" rx="4" fill="#6b4526" {o}/>')
        if shape == "axe":
            g.append(f'<path d="M4 -66c40-6 54 24 50 56c-14-14-34-18-50-12z" fill="{blade}" {o}/>'
                     f'<path d="M-4 -60c-18 0-26 12-24 26c8-8 16-8 24-6z" fill="{blade}" {o}/>')
        else:
            g.append(f'<rect x="-38" y="-82" width="76" height="36" rx="5" fill="{blade}" {o}/>'
                     f'<rect x="-38" y="-70" width="76" height="10" fill="{gd}" {o}/>')
        g.append(f'<circle cx="0" cy="84" r="8" fill="{gm}" {o}/>')
        tr = "translate(128 128) rotate(-30)"
    elif shape in ("spear", "staff"):
        g.append(f'<rect x="-5" y="-80" width="10" height="180" rx="4" fill="#6b4526" {o}/>')
        if shape == "spear":
            g.append(f'<path d="M0 -124l14 30l-14 16l-14-16z" fill="{blade}" {o}/><rect x="-8" y="-82" width="16" height="8" fill="{gd}" {o}/>')
        else:
            g.append(f'<path d="M-16 -80c-4-30 36-30 32 0" fill="none" stroke="#6b4526" stroke-width="8"/>'
                     f'<circle cx="0" cy="-96" r="15" fill="{gm}" {o}/>')
        tr = "translate(128 140) rotate(35)"
    elif shape == "bow":
        g.append(f'<path d="M-10 -96c60 30 60 162 0 192" fill="none" stroke="#6b4526" stroke-width="11" stroke-linecap="round"/>'
                 f'<path d="M-10 -96c60 30 60 162 0 192" fill="none" stroke="{tint}" stroke-width="3" stroke-opacity="0.8"/>'
                 f'<path d="M-10 -96v192" stroke="#e8e2d0" stroke-width="2"/><path d="M-60 0h100l-12-8v16z" fill="{blade}" {o}/>'
                 f'<path d="M-62 -8l-10 8l10 8z" fill="{gd}"/>')
        tr = "translate(118 128) rotate(-20)"
    elif shape in ("armor", "shield", "helm"):
        if shape == "armor":
            g.append(f'<path d="M-58 -70l30-10c10 14 46 14 56 0l30 10l10 40l-22 8v92h-92v-92l-22-8z" fill="{mt}" {o}/>'
                     f'<path d="M0 -60v140M-36 20h72" stroke="#59636c" stroke-width="3"/>'
                     f'<circle cx="0" cy="-20" r="14" fill="{gm}" {o}/>')
        elif shape == "shield":
            g.append(f'<path d="M-64 -76h128v50c0 60-38 94-64 108c-26-14-64-48-64-108z" fill="{blade}" {o}/>'
                     f'<path d="M-50 -62h100v36c0 48-28 74-50 86c-22-12-50-38-50-86z" fill="none" stroke="{gd}" stroke-width="6"/>'
                     f'<circle cx="0" cy="-6" r="18" fill="{gm}" {o}/>')
        else:
            g.append(f'<path d="M-56 30c-6-70 18-100 56-100s62 30 56 100h-24v-30h-64v30z" fill="{mt}" {o}/>'
                     f'<path d="M-32 -6h64M0 -6v36" stroke="#1b1a22" stroke-width="6"/><path d="M0 -70c20-30 50-30 60-20c-30 0-44 10-56 26z" '
                     f'fill="{tint}" {o}/>')
        tr = "translate(128 128)"
    elif shape == "potion":
        g.append(f'<path d="M-14 -74h28v30c34 14 48 40 48 64c0 40-30 60-62 60s-62-20-62-60c0-24 14-50 48-64z" fill="#dfe9ef" '
                 f'fill-opacity="0.35" {o}/><path d="M-56 10c20 12 92 12 112 0c2 34-24 64-56 64s-58-30-56-64z" fill="{gm}"/>'
                 f'<rect x="-18" y="-90" width="36" height="18" rx="4" fill="#8b5a2b" {o}/>'
                 f'<path d="M-30 -20c-12 8-18 20-18 32" stroke="#ffffff" stroke-width="5" stroke-opacity="0.6" stroke-linecap="round" fill="none"/>')
        for i in range(3):
            g.append(f'<circle cx="{-20 + i * 18}" cy="{30 + (i % 2) * 14}" r="{3 + i}" fill="#ffffff" fill-opacity="0.5"/>')
        tr = "translate(128 124)"
    elif shape in ("scroll", "tome"):
        if shape == "scroll":
            g.append(f'<rect x="-56" y="-70" width="112" height="140" fill="#efe0b9" {o}/>'
                     f'<rect x="-66" y="-84" width="132" height="18" rx="9" fill="#c9a26a" {o}/><rect x="-66" y="66" width="132" height="18" rx="9" fill="#c9a26a" {o}/>')
            for i in range(5):
                g.append(f'<path d="M-40 {-44 + i * 20}h{60 + int(r() * 20)}" stroke="#5a4630" stroke-width="3" stroke-linecap="round"/>')
            g.append(f'<circle cx="30" cy="48" r="13" fill="{gm}" {o}/>')
        else:
            g.append(f'<rect x="-64" y="-80" width="128" height="160" rx="6" fill="{_dark(tint, 0.45)}" {o}/>'
                     f'<rect x="-56" y="-72" width="112" height="144" rx="4" fill="none" stroke="{gd}" stroke-width="4"/>'
                     f'<circle cx="0" cy="0" r="26" fill="{gm}" {o}/><path d="M-64 -60h-8v140h8" fill="#efe0b9" {o}/>')
        tr = "translate(128 128)"
    elif shape == "ring":
        g.append(f'<ellipse cx="0" cy="20" rx="58" ry="52" fill="none" stroke="#1b1a22" stroke-width="24"/>'
                 f'<ellipse cx="0" cy="20" rx="58" ry="52" fill="none" stroke="{gd}" stroke-width="17"/>'
                 f'<path d="M-24 -36l24-30l24 30l-24 22z" fill="{gm}" {o}/>')
        tr = "translate(128 128)"
    elif shape == "wand":
        g.append(f'<rect x="-6" y="-90" width="12" height="170" rx="6" fill="#4a2f1a" {o}/>'
                 f'<path d="M-6 40h12M-6 52h12M-6 64h12" stroke="{gd}" stroke-width="4"/>'
                 f'<path d="M0 -120l10 22l-10 10l-10-10z" fill="{gm}" {o}/>')
        for i in range(5):
            g.append(f'<circle cx="{int(-30 + r() * 60)}" cy="{int(-150 + r() * 50)}" r="{2 + int(r() * 3)}" fill="{tint}"/>')
        tr = "translate(128 140) rotate(25)"
    elif shape == "amulet":
        g.append(f'<path d="M-60 -90c0 60 40 80 60 84c20-4 60-24 60-84" fill="none" stroke="{gd}" stroke-width="5" stroke-dasharray="7 3"/>'
                 f'<circle cx="0" cy="30" r="44" fill="{gd}" {o}/><circle cx="0" cy="30" r="28" fill="{gm}" {o}/>')
        tr = "translate(128 120)"
    elif shape == "crown":
        g.append(f'<path d="M-70 40l-8-76l38 30l40-54l40 54l38-30l-8 76z" fill="{gd}" {o}/><rect x="-72" y="40" width="144" height="20" '
                 f'fill="{gd}" {o}/><circle cx="0" cy="8" r="14" fill="{gm}" {o}/><circle cx="-44" cy="20" r="8" fill="{gm}"/>'
                 f'<circle cx="44" cy="20" r="8" fill="{gm}"/>')
        tr = "translate(128 128)"
    elif shape in ("cloak", "boots", "gauntlet"):
        col = _dark(tint, 0.35)
        if shape == "cloak":
            g.append(f'<path d="M-30 -80h60l50 160c-40 12-120 12-160 0z" fill="{col}" {o}/><path d="M-30 -80c10 30 50 30 60 0" fill="none" '
                     f'stroke="{gd}" stroke-width="6"/><circle cx="0" cy="-60" r="10" fill="{gm}" {o}/>')
        elif shape == "boots":
            for dx in (-44, 20):
                g.append(f'<path d="M{dx} -70h36v100h30c10 0 14 20 0 24h-66z" fill="{col}" {o}/><path d="M{dx} -60h36" stroke="{gd}" stroke-width="6"/>')
        else:
            g.append(f'<path d="M-40 80v-60l-14-50c-2-10 10-14 14-4l10 30v-60c0-10 14-10 14 0v50v-62c0-10 14-10 14 0v62v-54c0-10 14-10 14 0'
                     f'v60v-40c0-10 14-10 14 0v70c0 20-10 34-20 48z" fill="{mt}" {o}/><circle cx="0" cy="40" r="11" fill="{gm}" {o}/>')
        tr = "translate(128 128)"
    elif shape == "lantern":
        g.append(f'<path d="M-30 -76c0-24 60-24 60 0" fill="none" stroke="#2a2a30" stroke-width="6"/>'
                 f'<rect x="-40" y="-70" width="80" height="16" fill="{gd}" {o}/><rect x="-34" y="-54" width="68" height="100" fill="{gm}" fill-opacity="0.9" {o}/>'
                 f'<path d="M-34 -54v100M0 -54v100M34 -54v100" stroke="#2a2a30" stroke-width="4"/><rect x="-44" y="46" width="88" height="18" fill="{gd}" {o}/>')
        tr = "translate(128 128)"
    elif shape == "horn":
        g.append(f'<path d="M-80 -30c40 10 90 20 120 70l28-14c-20-50-70-90-148-80z" fill="#e8dcc0" {o}/>'
                 f'<path d="M-50 -26l0 16M-20 -18l0 18M10 -4l0 18" stroke="{gd}" stroke-width="6"/><ellipse cx="54" cy="34" rx="16" ry="10" fill="{gm}" {o}/>')
        tr = "translate(128 128)"
    else:  # orb, mirror and anything else
        g.append(f'<path d="M-40 70l10-26h60l10 26z" fill="{gd}" {o}/><circle cx="0" cy="-6" r="54" fill="{gm}" {o}/>'
                 f'<ellipse cx="-18" cy="-26" rx="16" ry="10" fill="#ffffff" fill-opacity="0.45"/>')
        tr = "translate(128 128)"
    b.append(f'<g transform="{tr}">{"".join(g)}</g>')
    return _doc(pid, f"Illustration of {c.name}", defs, b, glow)


_TRIG = [(math.cos(math.radians(d)), math.sin(math.radians(d))) for d in range(360)]


def _cos(deg: float) -> float:
    return _TRIG[int(deg) % 360][0]


def _sin(deg: float) -> float:
    return _TRIG[int(deg) % 360][1]


# ------------------------------------------------------------------ scenes
def _ridge(rng: Random, base: int, amp: int, step: int, jag: bool) -> str:
    r = rng.random
    pts = [f"0 256 0 {base}"]
    x, y = 0, base
    while x < 256:
        x = min(256, x + step + int(r() * step))
        if jag:
            y = base - int(r() * amp) if r() < 0.5 else base - amp // 3 + int(r() * amp // 3)
        else:
            y = max(base - amp, min(base + amp // 2, y + int((r() - 0.5) * amp)))
        pts.append(f"{x} {y}")
    pts.append("256 256")
    return " ".join(pts)


def _scene(kind: str, seed: int, pid: str, title: str, emblem: str, accent: str | None = None) -> str:
    rng = Random(seed)
    r = rng.random
    sky1, sky2, far, near, ground, sun, prop = SCENES.get(kind, SCENES["grassland"])
    frame = accent or _mix(sun, "#c9a44c", 0.5)
    defs = (_lin(pid, "sk", sky1, sky2) + _rad(pid, "sn", sun, sun, 1.0, 0.0) + _lin(pid, "gr", near, ground))
    b: list[str] = [f'<rect width="256" height="256" fill="url(#{pid}sk)"/>']
    sx, sy = 40 + int(r() * 176), 50 + int(r() * 40)
    b.append(f'<circle cx="{sx}" cy="{sy}" r="56" fill="url(#{pid}sn)" fill-opacity="0.7"/><circle cx="{sx}" cy="{sy}" r="{14 + int(r() * 8)}" fill="{sun}"/>')
    if kind in ("underdark", "dungeon", "urban", "swamp", "volcanic") or r() < 0.3:
        stars = "".join(f'<circle cx="{int(r() * 256)}" cy="{int(r() * 120)}" r="{0.6 + r() * 1.2:.1f}"/>' for _ in range(10))
        b.append(f'<g fill="#ffffff" fill-opacity="0.7">{stars}</g>')
    if kind == "arctic":
        b.append(f'<path d="M0 70c60-30 120 20 256-20v24c-120 40-190-10-256 20z" fill="#7fffd4" fill-opacity="0.25"/>')
    jag = kind in ("mountain", "arctic", "volcanic", "underdark")
    b.append(f'<polygon points="{_ridge(rng, 150, 70 if jag else 30, 18, jag)}" fill="{far}"/>')
    if kind in ("mountain", "arctic"):
        b.append(f'<polygon points="{_ridge(rng, 160, 60, 22, True)}" fill="{_light(far, 0.5)}" fill-opacity="0.5"/>')
    b.append(f'<polygon points="{_ridge(rng, 190, 30, 24, False)}" fill="url(#{pid}gr)"/>')
    if kind in ("coast", "swamp"):
        b.append(f'<rect y="200" width="256" height="56" fill="{ground}"/>')
        for i in range(4):
            y = 210 + i * 11
            b.append(f'<path d="M{int(r() * 40)} {y}h{60 + int(r() * 80)}" stroke="{_light(ground, 0.4)}" stroke-width="2" stroke-opacity="0.6"/>')
    else:
        b.append(f'<polygon points="{_ridge(rng, 222, 14, 30, False)}" fill="{ground}"/>')
    if kind in ("swamp", "ruins", "mountain") or r() < 0.25:
        b.append(f'<rect y="168" width="256" height="22" fill="#ffffff" fill-opacity="0.12"/><rect y="184" width="256" height="12" fill="#ffffff" fill-opacity="0.1"/>')
    # props
    dk = _dark(ground, 0.45)
    n = 3 + int(r() * 3) if prop != "city" else 7 + int(r() * 3)
    for i in range(n):
        x = int(16 + (i + r() * 0.8) * 224 / n)
        y = 200 + int(r() * 30)
        s = 0.7 + r() * 0.6
        t = f'transform="translate({x} {y}) scale({s:.2f})"'
        if prop in ("pine", "snowpine"):
            b.append(f'<g {t}><path d="M0 -60l18 34h-9l15 26h-48l15-26h-9z" fill="{dk}"/><rect x="-3" y="0" width="6" height="8" fill="#3a2a1a"/>'
                     + ('<path d="M0 -60l8 15h-16zM-12 -24l6 -2M12 -24l-6 -2" fill="#ffffff"/>' if prop == "snowpine" else "") + "</g>")
        elif prop == "deadtree":
            b.append(f'<g {t}><path d="M0 0v-50l-14-16M0 -34l12-14M0 -20l-10-6" fill="none" stroke="{dk}" stroke-width="4" stroke-linecap="round"/></g>')
        elif prop == "cactus":
            b.append(f'<g {t}><path d="M-4 0v-40c0-6 8-6 8 0v40zM4 -24h8v-10c0-4 5-4 5 0v14h-13zM-4 -18h-8v-8c0-4-5-4-5 0v12h13z" fill="{dk}"/></g>')
        elif prop == "crystal":
            b.append(f'<g {t}><path d="M0 0l-6-30l6-12l6 12zM8 0l4-20l6 8l-2 12z" fill="{sun}" fill-opacity="0.8"/></g>')
        elif prop == "columns":
            h = 30 + int(r() * 40)
            b.append(f'<g {t}><rect x="-7" y="-{h}" width="14" height="{h}" fill="{_light(far, 0.3)}"/><rect x="-10" y="-{h + 5}" width="20" height="6" '
                     f'fill="{_light(far, 0.4)}"/></g>')
        elif prop == "tree":
            b.append(f'<g {t}><rect x="-3" y="-20" width="6" height="20" fill="#5a3a22"/><circle cx="0" cy="-30" r="16" fill="{dk}"/></g>')
        elif prop == "arch":
            b.append(f'<g {t}><path d="M-24 0v-40a24 24 0 0 1 48 0v40h-8v-40a16 16 0 0 0-32 0v40z" fill="{_light(far, 0.2)}"/>'
                     f'<circle cx="-30" cy="-36" r="4" fill="{sun}"/></g>')
        elif prop == "city":
            w, h = 18 + int(r() * 14), 30 + int(r() * 50)
            b.append(f'<g {t}><rect x="0" y="-{h}" width="{w}" height="{h}" fill="{dk}"/><rect x="5" y="-{h - 8}" width="4" height="5" fill="{sun}"/>'
                     f'<rect x="{w - 9}" y="-{h // 2}" width="4" height="5" fill="{sun}"/></g>')
        elif prop == "volcano" and i == 0:
            b.append(f'<g transform="translate(128 200)"><path d="M-90 0l60-80h24l60 80z" fill="{dk}"/><path d="M-30 -80c10 20 20 20 24 0" '
                     f'fill="none" stroke="{sun}" stroke-width="5"/><path d="M-18 -80c-10-30 10-40 0-70" stroke="#555" stroke-width="10" '
                     f'stroke-opacity="0.5" fill="none"/></g>')
        elif prop == "lighthouse" and i == 0:
            b.append(f'<g transform="translate({180 + int(r() * 30)} 204)"><path d="M-10 0l4-60h12l4 60z" fill="#e8e2d0"/><path d="M-8 -30h16v8h-16z" '
                     f'fill="#b03030"/><rect x="-6" y="-70" width="12" height="10" fill="{sun}"/><path d="M6 -66l90-14v28z" fill="{sun}" fill-opacity="0.25"/></g>')
        elif prop == "peak":
            b.append(f'<g {t}><path d="M0 -40l14 40h-28z" fill="{dk}"/></g>')
    # emblem medallion
    ex, ey = 214, 42
    b.append(f'<circle cx="{ex}" cy="{ey}" r="22" fill="#1b1a22" fill-opacity="0.55" stroke="{frame}" stroke-width="2.5"/>')
    em = {
        "swords": f'<path d="M-12 -12l24 24M12 -12l-24 24" stroke="{frame}" stroke-width="4" stroke-linecap="round"/>'
                  f'<path d="M-14 6l8 8M14 6l-8 8" stroke="{frame}" stroke-width="3"/>',
        "compass": f'<path d="M0 -16l4 12l12 4l-12 4l-4 12l-4-12l-12-4l12-4z" fill="{frame}"/><circle r="3" fill="#1b1a22"/>',
        "quest": f'<path d="M-10 -14h20v22l-10 8l-10-8z" fill="{frame}"/><path d="M0 -10v10M0 4v2" stroke="#1b1a22" stroke-width="3"/>',
        "castle": f'<path d="M-14 14v-18h4v-6h4v6h4v-10h4v10h4v-6h4v6h4v18z" fill="{frame}"/><path d="M-2 14v-7h4v7z" fill="#1b1a22"/>',
    }[emblem]
    b.append(f'<g transform="translate({ex} {ey})">{em}</g>')
    return _doc(pid, title, defs, b, frame)


# ------------------------------------------------------------------ dispatch
def render_illustration(content: Content, seed: int) -> str:
    """An SVG document (256x256) illustrating the content; deterministic for (content, seed)."""
    pid = f"g{seed & 0xFFFFFF:x}"
    if isinstance(content, CharacterContent):
        return _portrait(content, seed, content.char_class, content.mood, pid + "c")
    if isinstance(content, NpcContent):
        return _portrait(content, seed, content.role, content.mood, pid + "n")
    if isinstance(content, ItemContent):
        return _item(content, seed, pid + "i")
    if isinstance(content, EncounterContent):
        return _scene(content.environment, seed, pid + "e", f"Scene: {content.name}", "swords")
    if isinstance(content, QuestContent):
        return _scene(content.environment, seed, pid + "q", f"Scene: {content.name}", "quest")
    if isinstance(content, WorldContent):
        return _scene(CLIMATE_SCENE.get(content.climate, "grassland"), seed, pid + "w", f"Map view of {content.name}", "compass")
    if isinstance(content, CampaignContent):
        return _scene(THEME_SCENE.get(content.theme, "mountain"), seed, pid + "k", f"Campaign: {content.name}", "castle")
    raise ValueError(f"no illustration for {type(content).__name__}")
