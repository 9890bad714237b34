#!/usr/bin/python3
"""Writes metric-reference.json: reference values for the evaluator's metric functions, computed independently
with scikit-learn, numpy and NLTK (Debian packages python3-sklearn and python3-nltk for the system interpreter).

Run from this folder:  /usr/bin/python3 make_metric_reference.py
The C# tests (tests/EhrR1.Graph.Evaluation.Tests/MetricReferenceTests.cs) recompute every value and compare.
"""
import json
import re

import numpy as np
import sklearn
import nltk
from nltk.stem.porter import PorterStemmer
from sklearn.metrics import brier_score_loss, precision_recall_fscore_support, roc_auc_score, roc_curve
from sklearn.preprocessing import MultiLabelBinarizer

rng = np.random.RandomState(20251028)

# --- AUROC / ROC / Brier / ECE on fixed vectors (ties included) ---------------------------------------------------
binary_cases = [
    {"name": "ties_small", "y": [1, 0, 1, 1, 0, 0, 1, 0], "p": [0.8, 0.8, 0.6, 0.4, 0.4, 0.4, 0.9, 0.1]},
    {"name": "all_tied", "y": [1, 0, 0, 1, 0], "p": [0.5, 0.5, 0.5, 0.5, 0.5]},
    {"name": "perfect", "y": [0, 0, 1, 1], "p": [0.1, 0.2, 0.7, 0.95]},
    {"name": "inverted", "y": [1, 1, 0, 0], "p": [0.1, 0.2, 0.7, 0.95]},
    {"name": "edges_0_and_1", "y": [1, 0, 1, 0, 1, 0], "p": [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]},
]
y = rng.randint(0, 2, size=300)
p = np.round(np.clip(0.3 * y + rng.beta(2, 3, size=300), 0, 1), 2)  # rounded to 2 decimals: many ties
binary_cases.append({"name": "random_300_rounded", "y": y.tolist(), "p": p.tolist()})

for case in binary_cases:
    yy = np.array(case["y"])
    pp = np.array(case["p"], dtype=float)
    case["auroc"] = float(roc_auc_score(yy, pp))
    fpr, tpr, thr = roc_curve(yy, pp, drop_intermediate=False)
    case["roc_fpr"] = fpr.tolist()
    case["roc_tpr"] = tpr.tolist()
    case["brier"] = float(brier_score_loss(yy, pp))
    case["accuracy_at_0_5"] = float(np.mean((pp >= 0.5).astype(int) == yy))
    # ECE, 10 equal-width bins [k/10, (k+1)/10) with numpy linspace edges (p = 1 in the last bin), weighted by bin size.
    # (scikit-learn's calibration_curve is not used: how it assigns values that sit exactly on an edge differs between
    # versions - side="left" in 1.2 - so the bins are made here explicitly.)
    edges = np.linspace(0.0, 1.0, 11)
    binids = np.searchsorted(edges[1:-1], pp, side="right")
    ece = 0.0
    for k in range(10):
        m = binids == k
        if m.any():
            ece += m.sum() / len(pp) * abs(yy[m].mean() - pp[m].mean())
    case["ece_10"] = float(ece)

# --- set precision / recall / F1 (per sample, then averaged: sklearn average="samples") ---------------------------
set_cases = [
    {"pred": ["a", "b", "c"], "gold": ["a", "b", "d", "e"]},
    {"pred": ["x"], "gold": ["y"]},
    {"pred": ["a"], "gold": ["a"]},
    {"pred": [], "gold": ["a", "b"]},
    {"pred": ["a", "b", "c", "d", "e", "f"], "gold": ["f"]},
    {"pred": ["k", "l"], "gold": ["l", "k", "m"]},
]
mlb = MultiLabelBinarizer()
mlb.fit([c["pred"] + c["gold"] for c in set_cases])
for c in set_cases:
    P = mlb.transform([c["pred"]])
    G = mlb.transform([c["gold"]])
    pr, rc, f1, _ = precision_recall_fscore_support(G, P, average="samples", zero_division=0)
    c["precision"], c["recall"], c["f1"] = float(pr), float(rc), float(f1)
P = mlb.transform([c["pred"] for c in set_cases])
G = mlb.transform([c["gold"] for c in set_cases])
pr, rc, f1, _ = precision_recall_fscore_support(G, P, average="samples", zero_division=0)
set_mean = {"precision": float(pr), "recall": float(rc), "f1": float(f1)}

# --- Porter stemmer (original algorithm) and ROUGE-1 with it, tokenised like rouge_score -----------------------------
stemmer = PorterStemmer(mode=PorterStemmer.ORIGINAL_ALGORITHM)
words = """caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping
tanned falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci digitizer
conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness
hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful
goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment
dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate rate cease controll
roll generalizations oscillators patient admitted hypertension diabetes mellitus discharged medications chest pain
shortness breath pneumonia antibiotics improving ambulating tolerated diet follow appointments cardiology
echocardiogram revealed preserved ejection fraction anticoagulation warfarin international normalized ratio
hemoglobin transfusion agitation delirium sedation intubated extubated saturating nasal cannula yelling eying
dying lying news sky skies innings outings cannings howe proceed exceed succeed generously""".split()
stems = {w: stemmer.stem(w) for w in words}


def rouge_tokens(text):
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    tokens = re.split(r"\s+", text)
    tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]
    return [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]


def rouge1(pred, ref):
    pt, rt = rouge_tokens(pred), rouge_tokens(ref)
    if not pt or not rt:
        return 0.0, 0.0, 0.0
    from collections import Counter
    pc, rcn = Counter(pt), Counter(rt)
    overlap = sum(min(c, rcn[t]) for t, c in pc.items())
    prec, rec = overlap / len(pt), overlap / len(rt)
    f = 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)
    return prec, rec, f


rouge_cases = [
    {"pred": "The patient was admitted with chest pain and discharged home.",
     "ref": "Patient admitted for chest pains; discharged home on aspirin."},
    {"pred": "Hypertension, diabetes mellitus type 2. Follow-up with cardiology in 2 weeks.",
     "ref": "Diabetes mellitus; hypertensive. FOLLOW UP: cardiology clinic, 2 weeks."},
    {"pred": "", "ref": "nothing predicted"},
    {"pred": "generalizations generalization generally", "ref": "general generalizations"},
]
for c in rouge_cases:
    c["precision"], c["recall"], c["f"] = rouge1(c["pred"], c["ref"])

out = {
    "generator": "make_metric_reference.py",
    "versions": {"numpy": np.__version__, "sklearn": sklearn.__version__, "nltk": nltk.__version__},
    "binary": binary_cases,
    "sets": set_cases,
    "set_mean": set_mean,
    "porter_original": stems,
    "rouge1": rouge_cases,
}
with open("metric-reference.json", "w", encoding="utf-8") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote metric-reference.json")
