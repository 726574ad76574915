"""Demo data for development: accounts, cameras and synthetic plate reads of a
small Virginia city.

Only the DEBUG-only commands ``seed_demo`` and ``demo_code`` use this module. The
passwords and TOTP keys below are published in the README: an account that still
carries them must never exist outside development.

The reads are synthetic: plates are drawn from the shapes Virginia issues (and a
few North Carolina and other states' plates, as near a state line), at camera
sites named after a Martinsville-like street grid, more by day than by night.
"""

import base64
import hashlib
import hmac
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import Officer, SealedTOTPDevice
from accounts.roles import Role
from audits.context import Actor
from audits.events import EventType
from audits.trail import record

from .ingest import NewRead, store_reads
from .models import Camera, PlateRead, Search, read_retention

logger = logging.getLogger(__name__)

DEMO_SOURCE = "flockgov-demo"


# --- Accounts ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    first_name: str
    last_name: str
    badge_number: str | None
    supervisor: str | None = None

    @property
    def password(self) -> str:
        return f"demo-{self.username}-2026"

    @property
    def totp_key_hex(self) -> str:
        """A fixed 20-byte key, so the key printed for enrolment never changes."""
        return hashlib.sha1(  # noqa: S324  (a published demo key, not a secret)
            f"flockgov-demo-totp:{self.username}".encode()
        ).hexdigest()

    @property
    def totp_key_base32(self) -> str:
        """The form authenticator apps take."""
        return base64.b32encode(bytes.fromhex(self.totp_key_hex)).decode()


DEMO_ACCOUNTS = [
    DemoAccount("officer", Role.OFFICER, "Alex", "Rivera", "1101", "supervisor"),
    DemoAccount("officer2", Role.OFFICER, "Sam", "Carter", "1102", "supervisor"),
    DemoAccount("supervisor", Role.SUPERVISOR, "Dana", "Brooks", "1201"),
    DemoAccount("captain", Role.CAPTAIN, "Morgan", "Ellis", "1301"),
    DemoAccount("admin", Role.ADMIN, "Pat", "Quinn", None),
    DemoAccount("chief", Role.CHIEF, "Chris", "Walker", "1001"),
    DemoAccount("records", Role.RECORDS, "Jamie", "Fox", None),
]
DEMO_BY_USERNAME = {account.username: account for account in DEMO_ACCOUNTS}


def ensure_demo_account(spec: DemoAccount, *, actor: Actor) -> tuple[Officer, bool]:
    """The account ``spec`` describes, with its password and a confirmed
    authenticator on the published key; created when missing. Returns (account,
    created).

    A new account goes through ``accounts.services.provision_trained_account``
    (training certificate, activation, audited) like any bootstrapped account;
    its authenticator is a sealed device holding the published key. The one
    place that makes a demo account: extend it rather than writing a second one.
    """
    officer = Officer.objects.filter(username=spec.username).first()
    created = officer is None
    if created:
        officer = services.provision_trained_account(
            actor=actor,
            username=spec.username,
            role=spec.role,
            password=spec.password,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@example.org",
            badge_number=spec.badge_number,
            supervisor=(
                Officer.objects.get(username=spec.supervisor)
                if spec.supervisor
                else None
            ),
            issuer_reference=f"DEMO-{spec.username}",
            extra_data={"demo": True},
        )
    elif not officer.check_password(spec.password):
        # Someone changed it; demo accounts exist to be signed into.
        officer.set_password(spec.password)
        officer.save(update_fields=["password", "password_changed_at"])
        record(
            EventType.ACCOUNT_CHANGED,
            actor=actor,
            target=officer,
            summary=f"demo account {spec.username}: password reset to the demo one",
            data={"username": spec.username, "demo": True, "password_reset": True},
        )
    if not SealedTOTPDevice.objects.filter(user=officer, confirmed=True).exists():
        # An account that enrolled its own authenticator keeps it.
        services.provision_totp_device(
            actor=actor,
            officer=officer,
            seed=bytes.fromhex(spec.totp_key_hex),
            name="demo authenticator",
        )
    return officer, created


def create_demo_accounts(*, actor: Actor) -> int:
    """Every demo account (supervisors first); returns how many were created."""
    ordered = sorted(DEMO_ACCOUNTS, key=lambda spec: spec.supervisor is not None)
    return sum(ensure_demo_account(spec, actor=actor)[1] for spec in ordered)


def demo_device(spec: DemoAccount) -> SealedTOTPDevice | None:
    """The account's confirmed authenticator if it still holds the published key."""
    published = bytes.fromhex(spec.totp_key_hex)
    for device in SealedTOTPDevice.objects.filter(
        user__username=spec.username, confirmed=True
    ):
        if hmac.compare_digest(device.bin_key, published):
            return device
    return None


def current_code(spec: DemoAccount) -> tuple[str, int] | None:
    """The code the demo key shows now and how many seconds it has left, or None
    when the account no longer carries the published key."""
    device = demo_device(spec)
    if device is None:
        return None
    seconds_left = device.step - int(timezone.now().timestamp() - device.t0) % (
        device.step
    )
    return device.current_code(), seconds_left


# --- Cameras -------------------------------------------------------------------

K = Camera.Kind


@dataclass(frozen=True)
class DemoCamera:
    device_id: str
    kind: str
    latitude: float
    longitude: float
    # How busy the site is, relative to an average street.
    traffic: float
    # Temporary cameras went up this many days ago.
    installed_days_ago: int | None
    name: str


# device id | kind | latitude | longitude | traffic | installed days ago | name
_CAMERA_TABLE = """
MPD-FX-01 | fixed | 36.6915 | -79.8725 | 1.6 | - | Commonwealth Blvd at Starling Ave
MPD-FX-02 | fixed | 36.6921 | -79.8652 | 1.8 | - | Commonwealth Blvd at Memorial Blvd
MPD-FX-03 | fixed | 36.6782 | -79.8664 | 1.5 | - | Memorial Blvd S at Rives Rd
MPD-FX-04 | fixed | 36.7043 | -79.8701 | 1.3 | - | Memorial Blvd N at Liberty St
MPD-FX-05 | fixed | 36.6908 | -79.8741 | 1.0 | - | Church St at Main St
MPD-FX-06 | fixed | 36.6889 | -79.8779 | 0.7 | - | Fayette St at Market St
MPD-FX-07 | fixed | 36.6851 | -79.8760 | 0.8 | - | Starling Ave at Cleveland Ave
MPD-FX-08 | fixed | 36.6705 | -79.8589 | 1.2 | - | Greensboro Rd at Clearview Dr
MPD-FX-09 | fixed | 36.7011 | -79.8843 | 0.9 | - | Mulberry Rd at Spruce St
MPD-FX-10 | fixed | 36.6972 | -79.8587 | 0.6 | - | Brookdale St at Chatham Heights Rd
MPD-FX-11 | fixed | 36.6990 | -79.8758 | 0.6 | - | Liberty St at Fairy St
MPD-FX-12 | fixed | 36.6931 | -79.8906 | 1.1 | - | Commonwealth Blvd W at Cherry St
MPD-FX-13 | fixed | 36.6747 | -79.8781 | 0.7 | - | Rives Rd at Patrick Henry Ave
MPD-FX-14 | fixed | 36.7085 | -79.8630 | 1.0 | - | Virginia Ave at Jefferson Plaza
MPD-FX-15 | fixed | 36.6879 | -79.8611 | 0.5 | - | E Church St Extension at Dye Ave
MPD-VEH-21 | vehicle | 36.6920 | -79.8730 | 0.5 | - | Patrol unit 21 (vehicle-mounted)
MPD-VEH-22 | vehicle | 36.6860 | -79.8690 | 0.5 | - | Patrol unit 22 (vehicle-mounted)
MPD-VEH-23 | vehicle | 36.6990 | -79.8650 | 0.4 | - | Traffic unit 23 (vehicle-mounted)
MPD-TMP-31 | temporary | 36.6898 | -79.8765 | 0.6 | 9 | Uptown festival lot, Bridge St
MPD-TMP-32 | temporary | 36.6957 | -79.8814 | 0.5 | 5 | School zone, Spruce St
"""


def _cameras(table: str) -> list[DemoCamera]:
    cameras = []
    for line in table.strip().splitlines():
        device, kind, lat, lon, traffic, days, name = (
            c.strip() for c in line.split("|")
        )
        cameras.append(
            DemoCamera(
                device_id=device,
                kind=kind,
                latitude=float(lat),
                longitude=float(lon),
                traffic=float(traffic),
                installed_days_ago=None if days == "-" else int(days),
                name=name,
            )
        )
    return cameras


DEMO_CAMERAS = _cameras(_CAMERA_TABLE)


def ensure_demo_cameras(*, today) -> tuple[list[tuple[DemoCamera, Camera]], int]:
    cameras, created_count = [], 0
    for spec in DEMO_CAMERAS:
        installed = (
            today - timedelta(days=spec.installed_days_ago)
            if spec.installed_days_ago is not None
            else None
        )
        camera, created = Camera.objects.get_or_create(
            device_id=spec.device_id,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "location": spec.name,
                "latitude": spec.latitude,
                "longitude": spec.longitude,
                "installed_on": installed,
            },
        )
        created_count += created
        cameras.append((spec, camera))
    return cameras, created_count


# --- Plates and reads ---------------------------------------------------------

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # I, O and Q are rarely issued
LATE_LETTERS = "JKLMNPRSTUVWXYZ"
DIGITS = "0123456789"
# Virginia standard-issue shapes (``@`` letter, ``#`` digit, ``J`` a late letter,
# ``Y`` one of J/Y), with rough shares; shared/data/reads/PLATES.md lists them.
VIRGINIA_SHAPES = [
    ("@@@####", 55),
    ("J@@####", 25),
    ("@@@###", 8),
    ("@@####", 5),
    ("####@@", 4),
    ("#####Y", 3),
]
OTHER_STATES = ["TN", "MD", "WV", "PA", "SC", "FL", "NY", "OH", "GA"]
MAKES = ["Ford", "Chevrolet", "Toyota", "Honda", "Nissan", "Ram", "Jeep", "Hyundai",
         "Kia", "Subaru", "GMC", "Dodge", "Volkswagen", "BMW"]  # fmt: skip
COLORS = ["white", "black", "silver", "gray", "red", "blue", "green", "brown"]

# Vehicles that pass every day, so a search finds something. Printed by seed_demo.
# (plate, state, make, color, device ids of the cameras on its daily route)
RECURRING = [
    ("UKT4821", "VA", "Ford", "silver", ["MPD-FX-02", "MPD-FX-01", "MPD-FX-05"]),
    ("JRM5530", "VA", "Honda", "black", ["MPD-FX-03", "MPD-FX-08"]),
    ("HDF7112", "NC", "Toyota", "white", ["MPD-FX-08", "MPD-FX-03", "MPD-FX-14"]),
]

# Share of traffic by hour of the department's day: quiet at night, peaks at
# the commutes.
HOURLY = [
    *(0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.70, 1.20, 1.40, 1.00, 0.90, 1.00),
    *(1.10, 1.00, 1.00, 1.20, 1.40, 1.50, 1.20, 0.90, 0.70, 0.50, 0.35, 0.25),
]
# Reads per hour at an average site in an average hour.
BASE_RATE = 5.2
POPULATION = 6000


def _plate(rng: random.Random, shape: str) -> str:
    pick = {
        "@": lambda: rng.choice(LETTERS),
        "J": lambda: rng.choice(LATE_LETTERS),
        "#": lambda: rng.choice(DIGITS),
        "Y": lambda: rng.choice("JY"),
    }
    return "".join(pick[c]() for c in shape)


def _vehicles(seed: int) -> list[tuple[str, str, str, str]]:
    """A fixed population of (plate, state, make, color)."""
    rng = _rng(seed, "vehicles")
    shapes, weights = zip(*VIRGINIA_SHAPES, strict=True)
    seen: set[tuple[str, str]] = {(p, s) for p, s, *_ in RECURRING}
    vehicles = []
    while len(vehicles) < POPULATION:
        roll = rng.random()
        if roll < 0.85:
            state, plate = "VA", _plate(rng, rng.choices(shapes, weights)[0])
        elif roll < 0.95:
            state, plate = "NC", _plate(rng, "@@@####")
        else:
            state = rng.choice(OTHER_STATES)
            plate = _plate(rng, rng.choice(["@@@####", "@@@###", "####@@"]))
        if (plate, state) in seen:
            continue
        seen.add((plate, state))
        vehicles.append((plate, state, rng.choice(MAKES), rng.choice(COLORS)))
    return vehicles


def _rng(*parts: object) -> random.Random:
    """A generator of its own for each hour and each commute, so the same moment
    always yields the same reads, whatever window is asked for."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311  (synthetic data)


def generate_reads(
    cameras: list[tuple[DemoCamera, Camera]],
    *,
    start: datetime,
    end: datetime,
    scale: float = 1.0,
    seed: int = 2026,
) -> list[NewRead]:
    """Synthetic reads captured in [start, end).

    Deterministic: the reads of a given hour are the same in every call, and a
    window only selects among them. So filling [a, b) and then [b, c) gives
    exactly what filling [a, c) would, which keeps ``seed`` idempotent. ``scale``
    multiplies the traffic (the recurring vehicles keep their routine).
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    vehicles = _vehicles(seed)
    # A few regulars, many passers-by: popularity falls off with rank.
    cumulative, total = [], 0.0
    for rank in range(len(vehicles)):
        total += 1.0 / (rank + 60) ** 1.05
        cumulative.append(total)
    reads: list[NewRead] = []

    def add(rng, camera, spec, at, vehicle):
        plate, state, make, color = vehicle
        jitter = 0.004 if spec.kind == K.VEHICLE else 0.0
        latitude = round(spec.latitude + rng.uniform(-jitter, jitter), 6)
        longitude = round(spec.longitude + rng.uniform(-jitter, jitter), 6)
        confidence = round(rng.uniform(0.82, 0.99), 2)
        if start <= at < end:
            reads.append(
                NewRead(
                    captured_at=at,
                    plate=plate,
                    state=state,
                    camera_id=camera.pk,
                    latitude=latitude,
                    longitude=longitude,
                    make=make,
                    color=color,
                    confidence=confidence,
                    source=DEMO_SOURCE,
                )
            )

    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while hour < end:
        local = hour.astimezone(zone)
        weekend = 0.75 if local.weekday() >= 5 else 1.0
        rng = _rng(seed, hour.isoformat())
        for spec, camera in cameras:
            if camera.installed_on and local.date() < camera.installed_on:
                continue
            if spec.kind == K.VEHICLE and not 7 <= local.hour < 19:
                continue  # patrol cars read plates on day shift only
            expected = BASE_RATE * spec.traffic * HOURLY[local.hour] * weekend * scale
            count = int(expected + rng.random())
            for vehicle in rng.choices(vehicles, cum_weights=cumulative, k=count):
                at = hour + timedelta(seconds=rng.uniform(0, 3600))
                add(rng, camera, spec, at, vehicle)
        hour += timedelta(hours=1)

    # The recurring vehicles: a morning and an evening pass along their route on
    # weekdays, at times that drift a little from day to day.
    by_device = {camera.device_id: (spec, camera) for spec, camera in cameras}
    day = start.astimezone(zone).date()
    while datetime.combine(day, time(), zone) < end:
        if day.weekday() < 5:
            for plate, state, make, color, route in RECURRING:
                for leave_hour, path in ((7, route), (17, route[::-1])):
                    rng = _rng(seed, plate, day.isoformat(), leave_hour)
                    at = datetime.combine(day, time(leave_hour), zone)
                    at += timedelta(minutes=rng.randint(0, 50))
                    for device in path:
                        at += timedelta(minutes=rng.randint(2, 6))
                        spec, camera = by_device[device]
                        add(rng, camera, spec, at, (plate, state, make, color))
        day += timedelta(days=1)
    reads.sort(key=lambda read: read.captured_at)
    return reads


def _live_sighting(cameras, *, now: datetime) -> list[NewRead]:
    """A read, two minutes ago, of the first vehicle on the demo NCIC extract,
    unless an alert is already waiting: reads stored at once for three weeks
    raise only alerts from old reads, which never page, and a new user should
    find one to confirm on the alerts page."""
    from hotlists.models import Alert

    if Alert.objects.open().live().exists():
        return []
    _, rank = NCIC_DEMO_RANKS[0]
    plate, state, make, color = demo_vehicle(rank)
    _, camera = cameras[0]
    return [
        NewRead(
            captured_at=now - timedelta(minutes=2),
            plate=plate,
            state=state,
            camera_id=camera.pk,
            latitude=camera.latitude,
            longitude=camera.longitude,
            make=make,
            color=color,
            confidence=0.97,
            source=DEMO_SOURCE,
        )
    ]


def seed(
    *, actor: Actor, now: datetime | None = None, scale: float = 1.0
) -> dict[str, int]:
    """Accounts, cameras and reads up to ``now``. Idempotent: reads are added only
    for the time since the newest demo read (all of the retention period on the
    first run), so running it again adds nothing twice."""
    now = now or timezone.now()
    # A little inside the period, so the oldest reads are not due the moment
    # they are stored.
    oldest_allowed = now - read_retention() + timedelta(minutes=30)
    with transaction.atomic():
        accounts_created = create_demo_accounts(actor=actor)
        cameras, cameras_created = ensure_demo_cameras(today=timezone.localdate(now))
        organisations_created = ensure_organisations()
        # The hot lists first, so the reads stored below raise their alerts.
        ncic_entries = import_demo_ncic(actor=actor, now=now)
        custom_entries = ensure_custom_entry(now=now)
        newest = (
            PlateRead.objects.filter(source=DEMO_SOURCE, captured_at__gt=oldest_allowed)
            .order_by("-captured_at")
            .values_list("captured_at", flat=True)
            .first()
        )
        start = (
            max(newest + timedelta(microseconds=1), oldest_allowed)
            if newest
            else (oldest_allowed)
        )
        new_reads = generate_reads(cameras, start=start, end=now, scale=scale)
        new_reads += _live_sighting(cameras, now=now)
        stored = store_reads(new_reads, actor=actor)
        if stored:
            record(
                EventType.READS_IMPORTED,
                actor=actor,
                object_type="queries.plateread",
                summary=f"{len(stored)} synthetic demo reads stored",
                data={
                    "source": DEMO_SOURCE,
                    "imported": len(stored),
                    "rejected": 0,
                    "from": start.isoformat(),
                    "to": now.isoformat(),
                },
            )
    logger.info("demo data: %s reads added", len(stored))
    return {
        "accounts_created": accounts_created,
        "cameras_created": cameras_created,
        "reads_added": len(stored),
        "ncic_entries": ncic_entries,
        "custom_entries_added": custom_entries,
        "organisations_created": organisations_created,
    }


# --- Hot lists, organisations, purge and the monthly audit ---------------------
#
# Everything below goes through the product's own services (the ones the
# ``import_hotlist``, ``purge_expired`` and ``monthly_audit`` commands call), so the
# demo shows the audit trail those make, and a fresh install's health page is quiet.

# Ranks in the synthetic vehicle population (see ``_vehicles``) listed on the NCIC
# extract, with the §3.C list code: regulars enough to pass a camera a few times in
# three weeks, so alerts appear without flooding the alert queue.
NCIC_DEMO_RANKS = (("V", 600), ("W", 900), ("P", 1200))
# Plates on the extract that never pass a demo camera, and two records of codes
# §3.C does not allow (excluded and counted by the import).
NCIC_OTHER = (
    ("V", "XKW3390", "VA"),
    ("M", "TPL8812", "NC"),
    ("A", "JZR4471", "VA"),
    ("K", "QHM2205", "VA"),
    ("X", "BNV6610", "WV"),
)
NCIC_FILE_NAME = "VEHEXTRT-demo.txt"
REFRESH = timedelta(hours=12)
CUSTOM_LIST_NAME = "Demo - Investigations"
CUSTOM_ENTRY_RANK = 1500

# (name, ORI, jurisdiction, state, kind): a few Virginia agencies, the prosecutor,
# a court and the vendor (lawful recipients), and a federal and an out-of-state
# agency, to which §5 and Code § 2.2-5517 refuse sharing.
DEMO_ORGANISATIONS = (
    ("Henry County Sheriff's Office", "VA0440000", "virginia", "VA", "law_enforcement"),
    ("Danville Police Department", "VA1080000", "virginia", "VA", "law_enforcement"),
    ("Virginia State Police", "VAVSP0000", "virginia", "VA", "law_enforcement"),
    (
        "Martinsville Commonwealth's Attorney",
        "",
        "virginia",
        "VA",
        "prosecutor",
    ),
    ("Martinsville Circuit Court", "", "virginia", "VA", "court"),
    ("Flock Safety (vendor)", "", "virginia", "", "vendor"),
    ("U.S. Immigration and Customs Enforcement", "", "federal", "", "law_enforcement"),
    (
        "Eden Police Department (NC)",
        "NC0790100",
        "other_state",
        "NC",
        "law_enforcement",
    ),
)


def demo_vehicle(rank: int, seed: int = 2026) -> tuple[str, str, str, str]:
    """(plate, state, make, color) of the vehicle at ``rank`` in the population."""
    return _vehicles(seed)[rank]


def _ncic_record(code: str, number: int, plate: str, state: str, entered: str) -> str:
    """One synthetic fixed-width record, laid out as hotlists/ncic.py reads it."""
    return (
        f"{code}{number:09d}{'VA0890000':<9}{entered:<8}{plate:<10}{state:<2}"
        f"2027PC2019{'FORD':<4}{'ESC':<3}{'4D':<2}{'GRY':<7}synthetic demo record"
    )


def demo_ncic_text(today) -> str:
    entered = (today - timedelta(days=30)).strftime("%Y%m%d")
    rows = [(code, *demo_vehicle(rank)[:2]) for code, rank in NCIC_DEMO_RANKS]
    rows += list(NCIC_OTHER)
    lines = [f"VEHEXTRT NCIC LPR EXTRACT {today:%Y%m%d} 0600 VSP (SYNTHETIC DEMO)"]
    lines += [
        _ncic_record(code, 7000 + n, plate, state, entered)
        for n, (code, plate, state) in enumerate(rows, start=1)
    ]
    return "\r\n".join([*lines, ""])


def import_demo_ncic(*, actor: Actor, now: datetime) -> int:
    """Imports the synthetic extract as the NCIC list, as ``import_hotlist --format
    ncic`` would; again once the last import is half a day old, so the list is
    never stale, while a run that follows at once changes nothing."""
    import tempfile
    from pathlib import Path

    from hotlists import importing
    from hotlists.models import HotList

    current = HotList.objects.filter(source=HotList.Source.NCIC).first()
    if current and current.last_import_at and now - current.last_import_at < REFRESH:
        return 0

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / NCIC_FILE_NAME
        path.write_bytes(demo_ncic_text(timezone.localdate(now)).encode("latin-1"))
        return importing.import_ncic_file(path, actor=actor).imported


def ensure_custom_entry(*, now: datetime) -> int:
    """A custom list with an active entry by the demo officer (re-added once the
    last one expires: custom entries last a day at most, §4.B)."""
    from hotlists import services as hotlist_services
    from hotlists.models import HotList, HotListEntry

    officer = Officer.objects.get(username="officer")
    acting = Actor.for_officer(officer)
    hotlist = HotList.objects.filter(name__iexact=CUSTOM_LIST_NAME).first()
    if hotlist is None:
        hotlist = hotlist_services.create_hotlist(
            actor=acting,
            name=CUSTOM_LIST_NAME,
            description="Vehicles of interest in open investigations (demo)",
        )
    plate, state, make, color = demo_vehicle(CUSTOM_ENTRY_RANK)
    active = HotListEntry.objects.filter(
        hotlist=hotlist, plate=plate, removed_at__isnull=True, expires_at__gt=now
    )
    if active.exists():
        return 0
    hotlist_services.add_entry(
        actor=acting,
        hotlist=hotlist,
        data={
            "plate": plate,
            "state": state,
            "category": "warrant",
            "purpose": "A",
            "case_number": "26-004512",
            "reason": "Driver named in an outstanding burglary warrant (demo).",
            "vehicle_description": f"{color} {make}",
        },
    )
    return 1


def ensure_organisations() -> int:
    from sharing import services as sharing_services
    from sharing.models import Organisation

    captain = Actor.for_officer(Officer.objects.get(username="captain"))
    made = 0
    for name, ori, jurisdiction, state, kind in DEMO_ORGANISATIONS:
        if Organisation.objects.filter(name=name).exists():
            continue
        sharing_services.register_organisation(
            actor=captain,
            values={
                "name": name,
                "ori": ori,
                "jurisdiction": jurisdiction,
                "state": state,
                "kind": kind,
                "notes": "Demo registry entry",
            },
        )
        made += 1
    return made


# Last month's searches, for a new installation's Captain to audit: the reasons
# officers gave, good and poor, with the §3 purpose and offence each went with.
# The poor ones (a bare "inv", a "bolo", a case typed into the reason) and a few
# searches at night are what the audit is for.
DEMO_SEARCHES = (
    (
        "A",
        "Burglary/Breaking & Entering",
        "Vehicle seen leaving the burglary on "
        "Church St, from the neighbour's doorbell camera",
    ),
    ("A", "Robbery", "Robbery suspect vehicle described by the victim"),
    (
        "A",
        "Motor Vehicle Theft/Stolen",
        "Owner reported the vehicle stolen from the Food Lion lot this morning",
    ),
    (
        "B",
        "Missing/Endangered Person/Runaway",
        "Missing juvenile last seen getting into a grey sedan",
    ),
    (
        "A",
        "Hit and Run/Car Accident",
        "Hit and run on Commonwealth Blvd, partial plate from a witness",
    ),
    (
        "C",
        "Motor Vehicle Theft/Stolen",
        "Follow-up of the stolen plate alert at Starling Ave",
    ),
    ("A", "Larceny/Theft Offenses", "inv"),
    ("A", "Larceny/Theft Offenses", "bolo"),
    ("A", "Drugs/Narcotics", "see case 26-004512"),
)
DEMO_SEARCHERS = ("officer", "officer2", "supervisor")


def seed_search_history(*, actor: Actor, now: datetime) -> int:
    """Searches by the demo officers over last month (department time), written
    straight to the table with one audit record that says they are demo data; a
    search made through the product is always made now. Nothing is added once
    the month has searches."""
    from audits import periods

    first_day, next_first_day = periods.previous_month(now)
    last_month = first_day.strftime("%Y-%m")
    start = periods.local_midnight(first_day)
    end = periods.local_midnight(next_first_day)
    if Search.objects.filter(created_at__gte=start, created_at__lt=end).exists():
        return 0
    officers = Officer.objects.filter(username__in=DEMO_SEARCHERS).order_by("username")
    vehicles = _vehicles(2026)
    rng = _rng("searches", last_month)
    days = (next_first_day - first_day).days
    searches = []
    for officer in officers:
        for _ in range(rng.randint(35, 55)):
            # Mostly during the day shift; one search in ten late at night.
            hour = rng.randint(7, 20) if rng.random() < 0.9 else rng.choice([0, 2, 23])
            at = start + timedelta(
                days=rng.randrange(days), hours=hour, seconds=rng.randrange(3600)
            )
            purpose, offense, reason = rng.choice(DEMO_SEARCHES)
            case = "" if purpose == "C" else f"{at:%y}-{rng.randint(1000, 99999):06d}"
            searches.append(
                Search(
                    officer=officer,
                    created_at=at,
                    purpose=purpose,
                    case_number=case,
                    offense_type=offense,
                    justification=reason,
                    plate_query=rng.choice(vehicles)[0],
                    kind=Search.Kind.EXACT,
                    window_start=at - timedelta(days=rng.choice([1, 3, 7, 14, 30])),
                    window_end=at,
                    result_count=rng.randint(0, 6),
                )
            )
    with transaction.atomic():
        Search.objects.bulk_create(searches)
        record(
            EventType.DEMO_SEARCHES_SEEDED,
            actor=actor,
            object_type="queries.search",
            summary=f"{len(searches)} demo searches written for {last_month}",
            data={"month": last_month, "searches": len(searches)},
        )
    return len(searches)


def seed_operations(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """After ``seed``: purge what is due and run last month's audit, as the beat
    jobs would have done on a system that had been running. The purge runs (and
    is audited) each time, as the hourly job's runs are."""
    from audits import periods
    from audits import services as audit_services
    from audits.models import AuditPeriod
    from retention.purge import run_purge

    now = now or timezone.now()
    purged: list[int] = []
    # The purge opens its own transactions: it runs once nothing is pending (at
    # once from the command, which runs in autocommit mode).
    transaction.on_commit(
        lambda: purged.append(run_purge(actor=actor, now=now).reads_purged)
    )
    first_of_month = timezone.localdate(now).replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).strftime("%Y-%m")
    start, end = periods.parse_month(last_month, now=now)
    searches = seed_search_history(actor=actor, now=now)
    findings = 0
    # Once run, the month is the Captain's to rerun (or sign); a rerun of the
    # seed leaves it alone.
    if not AuditPeriod.objects.filter(kind=AuditPeriod.Kind.MONTH, start=start):
        result = audit_services.run_period(
            actor=actor, kind=AuditPeriod.Kind.MONTH, start=start, end=end, now=now
        )
        findings = result.total
    return {
        "reads_purged": sum(purged),
        "searches_added": searches,
        "audit_findings": findings,
    }
