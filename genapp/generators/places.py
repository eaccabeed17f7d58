"""Kinds of place a prompt can name ("a harbour smuggler", "a swamp witch"), for people's whereabouts.

``PLACE_MATCHER.first(prompt)`` finds the kind; ``whereabouts(rng, kind, town)`` writes where
someone is found ("the docks of Saltmere"), always with a word of that kind in it, and
``HOME_DESC`` describes a home town of that kind for a backstory.
"""

from __future__ import annotations

from random import Random

from ._text import Matcher, pick

# kind -> (prompt keywords, whereabouts templates ({town}), descriptions of a home town of that kind)
PLACES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "harbour": (
        ("harbour*", "harbor*", "port", "ports", "seaport*", "dock", "docks", "dockside", "dockyard*", "wharf*",
         "wharves", "pier", "piers", "quay*", "waterfront", "marina*", "anchorage*"),
        ("the docks of {town}", "{town} harbour", "the wharves of {town}", "the port of {town}",
         "a dockside warehouse in {town}"),
        ("a harbour town of gulls, tar and gossip", "a port city thick with smugglers",
         "a fishing port clinging to black cliffs"),
    ),
    "tavern": (
        ("tavern*", "inn", "inns", "alehouse*", "taproom*", "pub", "pubs", "saloon*"),
        ("the Rusty Anchor tavern in {town}", "the Drunken Dragon inn at {town}", "a smoky tavern in {town}",
         "the Gilded Goose inn, {town}"),
        ("a crossroads town famous for its taverns", "a market town whose inns never close"),
    ),
    "temple": (
        ("temple*", "shrine*", "chapel*", "church*", "cathedral*", "monaster*", "abbey*", "cloister*", "sanctuar*"),
        ("the temple of {town}", "a roadside shrine near {town}", "the abbey above {town}", "the old chapel of {town}"),
        ("a temple town of bells and pilgrims", "a monastery village high in the hills"),
    ),
    "market": (
        ("market*", "bazaar*", "souk*", "trading post*", "emporium*"),
        ("the market square of {town}", "the bazaar of {town}", "a stall in the {town} market"),
        ("a crossroads town famous for its fairs", "a trading post on the old salt road"),
    ),
    "court": (
        ("castle*", "court", "courts", "palace*", "fortress*", "citadel*", "throne room*", "manor*", "estate*"),
        ("the castle of {town}", "the court of {town}", "a manor outside {town}", "the palace at {town}"),
        ("a castle town in the shadow of its lord's walls", "a walled city of bells and gossip"),
    ),
    "slums": (
        ("slum*", "alley*", "backstreet*", "back street*", "gutter*", "underworld", "rookery", "shanty*"),
        ("the back alleys of {town}", "the slums of {town}", "a gambling den in {town}"),
        ("a city slum where the watch never goes", "a rookery of crooked lanes and crooked people"),
    ),
    "sewers": (
        ("sewer*", "cistern*", "catacomb*", "undercity"),
        ("the sewers beneath {town}", "the catacombs under {town}"),
        ("a city built on catacombs and secrets",),
    ),
    "library": (
        ("librar*", "academy", "academies", "universit*", "archive*", "college*", "observator*"),
        ("the great library of {town}", "the academy at {town}", "the archives of {town}"),
        ("a university town of towers and debts", "a scholars' town built around an ancient library"),
    ),
    "graveyard": (
        ("graveyard*", "cemeter*", "crypt", "crypts", "tomb", "tombs", "necropolis", "mausoleum*", "barrow*"),
        ("the old graveyard of {town}", "the crypts below {town}", "the cemetery gate of {town}"),
        ("a quiet town that lives off its famous cemetery",),
    ),
    "mine": (
        ("mine", "mines", "mining", "quarry", "quarries", "mineshaft*"),
        ("the mines above {town}", "the quarry at {town}", "a mining camp near {town}"),
        ("a mining settlement carved into the mountainside",),
    ),
    "farmland": (
        ("farm", "farms", "farmland*", "farmstead*", "village*", "hamlet*", "countryside", "orchard*", "meadow*"),
        ("a farm outside {town}", "the village of {town}", "the fields around {town}"),
        ("a farming hamlet surrounded by ancient standing stones", "a sleepy village where nothing ever happened"),
    ),
    "road": (
        ("road", "roads", "roadside", "crossroad*", "highway*", "waystation*", "toll bridge*"),
        ("the crossroads outside {town}", "a waystation on the road to {town}", "the toll bridge at {town}"),
        ("a crossroads town where every road meets", "a trading post on the old salt road"),
    ),
    "forest": (
        ("forest*", "wood", "woods", "woodland*", "grove*", "jungle*", "thicket*", "glade*", "weald"),
        ("the woods outside {town}", "a forest lodge near {town}", "a hut deep in the forest beyond {town}"),
        ("a forest steading hidden among giant trees", "a woodcutters' village on the forest edge"),
    ),
    "swamp": (
        ("swamp*", "marsh*", "bog", "bogs", "boggy", "fen", "fens", "fenland*", "mire*", "bayou*", "wetland*"),
        ("the marshes outside {town}", "a stilt house in the fens below {town}", "the bog beyond {town}",
         "a swamp hut a day from {town}"),
        ("a village on stilts above the marshes", "a fen town of reed roofs and fog"),
    ),
    "mountain": (
        ("mountain*", "peak", "peaks", "hill", "hills", "highland*", "crag*", "alpine", "cliff*"),
        ("the hills above {town}", "a mountain pass near {town}", "a mountain lodge above {town}"),
        ("a hill town built on the ruins of an older one", "a mountain village where the passes close in winter"),
    ),
    "desert": (
        ("desert*", "dune", "dunes", "oasis", "oases", "wasteland*", "badlands"),
        ("an oasis in the desert beyond {town}", "the desert road out of {town}", "a caravanserai in the dunes near {town}"),
        ("an oasis town on the edge of the dunes", "a desert caravan stop baked by the sun"),
    ),
    "arctic": (
        ("arctic", "frozen", "snow*", "ice", "icy", "tundra*", "glacier*", "polar", "frost*"),
        ("the frozen north beyond {town}", "an ice-bound lodge near {town}", "the snowfields above {town}"),
        ("a frozen fishing village on a frozen fjord", "a snowbound town of longhouses"),
    ),
    "coast": (
        ("coast*", "beach*", "shore*", "seaside", "island*", "isle", "isles", "cove", "coves", "lighthouse*"),
        ("a lighthouse on the coast near {town}", "the shore below {town}", "a fishing village on the coast by {town}"),
        ("a fishing village clinging to black cliffs", "an island town ringed by reefs"),
    ),
    "underground": (
        ("cave", "caves", "cavern*", "underground", "underdark", "tunnel*", "grotto*"),
        ("the caves beneath {town}", "a tunnel city below {town}", "the caverns under {town}"),
        ("a cave town lit by glowing fungus",),
    ),
}
PLACE_KINDS: tuple[str, ...] = tuple(PLACES)
PLACE_MATCHER = Matcher({k: v[0] for k, v in PLACES.items()})
HOME_DESC = {k: v[2] for k, v in PLACES.items()}
# words that show a whereabouts is of a kind (tests and checks use them)
PLACE_WORDS = {
    "harbour": ("docks", "harbour", "wharves", "port", "dockside"),
    "tavern": ("tavern", "inn"),
    "temple": ("temple", "shrine", "abbey", "chapel"),
    "market": ("market", "bazaar"),
    "court": ("castle", "court", "manor", "palace"),
    "slums": ("alleys", "slums", "den"),
    "sewers": ("sewers", "catacombs"),
    "library": ("library", "academy", "archives"),
    "graveyard": ("graveyard", "crypts", "cemetery"),
    "mine": ("mines", "quarry", "mining"),
    "farmland": ("farm", "village", "fields"),
    "road": ("crossroads", "road", "bridge"),
    "forest": ("woods", "forest"),
    "swamp": ("marshes", "fens", "bog", "swamp"),
    "mountain": ("hills", "mountain"),
    "desert": ("desert", "dunes", "oasis"),
    "arctic": ("frozen", "ice-bound", "snowfields"),
    "coast": ("coast", "shore"),
    "underground": ("caves", "tunnel", "caverns"),
}


def whereabouts(rng: Random, kind: str, town: str) -> str:
    """Where someone of a place kind is found, e.g. 'the docks of Saltmere'."""
    return pick(rng, PLACES[kind][1]).format(town=town)
