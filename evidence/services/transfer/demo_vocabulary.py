"""The words of the synthetic demo ledger: the domain's own (foot, heel, calf, lumbar ...),
so every page has something plausible to show, and the shares of each kind of thing."""

from __future__ import annotations

from evidence.domain.vocab import (
    ClaimType,
    Design,
    Downgrade,
    ReviewOf,
    Stance,
    Upgrade,
)

CONDITIONS = (
    "plantar heel pain",
    "chronic low back pain",
    "lumbar radiculopathy",
    "Achilles tendinopathy",
    "hallux valgus",
    "flat foot",
    "tarsal tunnel syndrome",
    "knee osteoarthritis",
    "sciatica",
    "metatarsalgia",
    "medial tibial stress syndrome",
    "sacroiliac joint pain",
)
FINDINGS = (
    "reduced ankle dorsiflexion",
    "a thickened plantar fascia",
    "calf trigger points",
    "lumbar disc degeneration",
    "an altered gait pattern",
    "weak intrinsic foot muscles",
    "tibial nerve irritation",
    "increased pelvic tilt",
    "a leg length difference",
    "stiff thoracolumbar fascia",
    "tight hamstrings",
    "excessive foot pronation",
)
REGIONS = (
    "foot",
    "heel",
    "ankle",
    "calf",
    "knee",
    "hip",
    "lumbar spine",
    "plantar fascia",
    "Achilles tendon",
    "sciatic nerve",
)
INTERVENTIONS = (
    "calf stretching",
    "custom foot orthoses",
    "shock wave therapy",
    "lumbar mobilisation",
    "dry needling",
    "night splints",
    "progressive strength training",
    "a corticosteroid injection",
    "kinesio taping",
    "neural mobilisation",
)
TESTS = (
    "ultrasound of the plantar fascia",
    "the straight-leg raise test",
    "the windlass test",
    "a nerve conduction study",
    "MRI of the lumbar spine",
    "palpation of calf trigger points",
)
TEMPLATES = {
    ClaimType.prevalence: ("{condition} is more prevalent in people with {condition2}",),
    ClaimType.association: ("{finding} is associated with {condition}",),
    ClaimType.mechanism: (
        "{finding} transmits strain from the {region} to the {region2}",
        "{finding} in the {region} sensitises the {region2}",
    ),
    ClaimType.causal: ("{finding} causes {condition}",),
    ClaimType.diagnostic: ("{test} identifies {condition}",),
    ClaimType.treatment: ("treatment with {intervention} reduces pain in {condition}",),
}
CLAIM_TYPES = (
    (ClaimType.association, 25),
    (ClaimType.mechanism, 20),
    (ClaimType.treatment, 20),
    (ClaimType.diagnostic, 13),
    (ClaimType.prevalence, 11),
    (ClaimType.causal, 11),
)
TAGS = (
    "foot",
    "heel",
    "calf",
    "ankle",
    "knee",
    "hip",
    "lumbar",
    "nerve",
    "fascia",
    "tendon",
    "gait",
    "posture",
    "orthoses",
    "exercise",
    "imaging",
)

# design: (share in %, publication types, noun phrase for the title, sample size range)
DESIGNS: dict[Design | None, tuple[int, tuple[str, ...], str, tuple[int, int] | None]] = {
    Design.rct: (
        14,
        ("Journal Article", "Randomized Controlled Trial"),
        "a randomised controlled trial",
        (30, 400),
    ),
    Design.systematic_review_meta_analysis: (
        4,
        ("Journal Article", "Meta-Analysis", "Review", "Systematic Review"),
        "a systematic review and meta-analysis",
        (200, 6000),
    ),
    Design.systematic_review: (
        5,
        ("Journal Article", "Review", "Systematic Review"),
        "a systematic review",
        (100, 4000),
    ),
    Design.cohort: (14, ("Journal Article", "Observational Study"), "a cohort study", (100, 20000)),
    Design.case_control: (10, ("Journal Article",), "a case-control study", (40, 600)),
    Design.cross_sectional: (14, ("Journal Article",), "a cross-sectional study", (50, 2000)),
    Design.case_series: (7, ("Journal Article",), "a case series", (5, 40)),
    Design.case_report: (7, ("Case Reports", "Journal Article"), "a case report", (1, 1)),
    Design.cadaver_anatomical: (6, ("Journal Article",), "a cadaveric study", (6, 60)),
    Design.lab_mechanistic: (6, ("Journal Article",), "a laboratory study", (8, 40)),
    Design.narrative_review: (7, ("Journal Article", "Review"), "a narrative review", None),
    Design.expert_opinion: (4, ("Editorial",), "a commentary", None),
    None: (2, ("Journal Article",), "a report", None),  # no design recorded: read as anecdotal
}
REVIEW_OF = (
    (ReviewOf.rcts, 40),
    (ReviewOf.observational, 25),
    (ReviewOf.mixed, 20),
    (ReviewOf.anatomical, 7),
    (ReviewOf.case_reports, 8),
)
OBSERVATIONAL = {Design.cohort, Design.case_control, Design.cross_sectional}
ANECDOTAL = {
    Design.case_series,
    Design.case_report,
    Design.narrative_review,
    Design.expert_opinion,
    None,
}
JOURNALS = (
    "Journal of Synthetic Foot Studies",
    "Demo Journal of Musculoskeletal Research",
    "Synthetic Spine Reports",
    "Example Podiatry Quarterly",
    "Demo Archives of Gait Science",
    "Synthetic Pain Letters",
    "Example Journal of Manual Therapy",
)
FAMILIES = ("Demo", "Sample", "Example", "Synthetic", "Placeholder", "Mockford", "Testwell")

# How a claim's evidence leans: (share in %, reference pool, stance weights). The pools keep
# the verdicts varied: "limited" claims cite observational studies only, "weak" ones only
# anecdotal papers, so they end as limited support and unproven rather than all contested.
PROFILES = {
    "supported": (30, "any", {Stance.supports: 80, Stance.insufficient: 20}),
    "limited": (15, "observational", {Stance.supports: 75, Stance.insufficient: 25}),
    "contested": (
        15,
        "any",
        {Stance.supports: 45, Stance.refutes: 35, Stance.mixed: 20},
    ),
    "refuted": (10, "any", {Stance.refutes: 70, Stance.insufficient: 30}),
    "weak": (
        20,
        "anecdotal",
        {Stance.supports: 50, Stance.refutes: 10, Stance.insufficient: 40},
    ),
}
UNASSESSED_SHARE = 0.10  # claims without evidence (half of them with a search on record)
DOWNGRADES = {
    Downgrade.risk_of_bias: 0.20,
    Downgrade.indirectness: 0.20,
    Downgrade.imprecision: 0.15,
    Downgrade.inconsistency: 0.05,
}
UPGRADES = {Upgrade.large_effect: 0.03, Upgrade.dose_response: 0.02}
RATIONALES = {
    Stance.supports: "the study reports an effect in the claimed direction",
    Stance.refutes: "the study finds no such effect where it looked for one",
    Stance.mixed: "the outcomes point in different directions",
    Stance.insufficient: "the study does not measure what the claim is about",
}
DATABASES = ("PubMed", "Cochrane Library", "Embase", "CINAHL", "PEDro")
OVERRIDE_REASONS = (
    "the computed verdict misses a large unpublished trial the curator knows of (synthetic)",
    "the supporting studies share one cohort and should count once (synthetic)",
    "the refuting trial measured a different outcome than the claim (synthetic)",
    "a guideline panel weighed this evidence differently (synthetic)",
)

REASON = "synthetic demo data"
BATCH = 5000
DEFAULT_SEED = 1

# (option, smallest, largest): the largest keeps PMIDs (90000001 + i) at eight digits
LIMITS = {
    "claims": (10, 1_000_000),
    "references": (10, 1_000_000),
    "links": (0, 10_000_000),
}
