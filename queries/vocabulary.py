"""Default vocabularies loaded by migrations; administrators edit them afterwards.

``OFFENSE_TYPES`` are the values of the vendor's offense-type search dropdown as
published on transparency portals. ``PROHIBITED_TERMS`` mark the purposes §6.B
forbids; all-capital acronyms match only as capitalised whole words.
"""

OFFENSE_TYPES = [
    "Motor Vehicle Theft/Stolen",
    "Larceny/Theft Offenses",
    "Burglary/Breaking & Entering",
    "Drugs/Narcotics",
    "Assault/Battery Offenses",
    "Wanted Person (Arrest Warrant/Fugitive)",
    "Stolen Property Offenses",
    "Assault/Battery Offenses (Domestic)",
    "Robbery",
    "Alcohol Offenses (Non-DUI)",
    "Traffic Infraction",
    "Financial Crime (Embezzlement/Fraud)",
    "Hit and Run/Car Accident",
    "Weapons Offense (Guns/Shots Fired)",
    "Missing/Endangered Person/Runaway",
    "Sex Offenses",
    "Criminal Motor Vehicle Offense (incl. Road Rage/Reckless)",
    "Welfare Check",
    "Obstructing the Police (Fleeing/Eluding)",
    "Destruction/Damage/Vandalism of Property",
    "Driving Under the Influence (DUI/DWI/OWI/OVI)",
    "Homicide/Death Investigation",
    "Arson",
    "Child Abuse/Neglect",
    "Threats/Harassment",
    "Pornography/Obscene Material",
    "Indecent Exposure/Lewd",
    "Disorderly Conduct/Disturbance",
    "Counterfeiting/Forgery",
    "Obstructing Justice",
    "Human Trafficking",
    "Disturbing Public Peace/Riot",
    "Trespass",
    "Kidnapping/Abduction",
    "Protective/Protection Order",
    "Curfew/Loitering/Vagrancy Violations",
    "Animal Offenses (cruelty/neglect)",
    "Stalking",
    "Material Witness",
    "Juvenile Delinquency",
    "Extortion/Blackmail",
]

PROHIBITED_TERMS = {
    "assembly": [
        "protest",
        "protester",
        "protestor",
        "rally",
        "demonstration",
        "demonstrator",
        "picket",
        "sit-in",
        "lawful assembly",
        "march organizer",
    ],
    "immigration": [
        "immigration",
        "immigrant",
        "ICE",
        "HSI",
        "CBP",
        "ERO",
        "deportation",
        "deport",
        "undocumented",
        "illegal alien",
        "border patrol",
        "visa overstay",
    ],
    "reproductive": [
        "abortion",
        "reproductive care",
        "reproductive health",
        "planned parenthood",
        "pregnancy termination",
    ],
    "speech": [
        "political speech",
        "political sign",
    ],
}


def load_defaults(offense_type_model=None, prohibited_term_model=None) -> None:
    """Adds any default value that is missing; existing rows are left alone, so an
    administrator's edits survive."""
    if offense_type_model is None or prohibited_term_model is None:
        from .models import OffenseType, ProhibitedTerm

        offense_type_model, prohibited_term_model = OffenseType, ProhibitedTerm
    for name in OFFENSE_TYPES:
        offense_type_model.objects.get_or_create(name=name)
    for category, terms in PROHIBITED_TERMS.items():
        for term in terms:
            prohibited_term_model.objects.get_or_create(
                term=term, defaults={"category": category}
            )
