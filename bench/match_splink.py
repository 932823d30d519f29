#!/usr/bin/env python3
"""The peer of `vigie bench match`: Splink 4 (DuckDB backend) on the same records, same truth.

Usage: match_splink.py febrl4 DATASET_A DATASET_B
       match_splink.py synthetic PEOPLE_CSV       (dedupe; truth in the column "person")
Prints one JSON line: seconds (from loading the frames into Splink to the scored links), peak memory
of this process, links found, and precision/recall/F1 against the truth (records rec-N-org and
rec-N-dup-0 are the same person). The settings follow Splink's own FEBRL4 example.
"""

import json
import resource
import sys
import time

import pandas as pd


def truth_key(rec_id):
    return rec_id.split("-")[1]


def synthetic(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in df.columns:
        df[column] = df[column].str.strip().replace("", None)
    df["birth_year"] = df["birth_date"].str.slice(0, 4)
    truth = df[["id", "person"]]

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        blocking_rules_to_generate_predictions=[
            block_on("surname", "birth_year"),
            block_on("given_name", "surname"),
            block_on("birth_date"),
            block_on("postcode", "given_name"),
            block_on("phone"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.JaroWinklerAtThresholds("street", [0.9, 0.7]),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("city", [0.9]),
            cl.ExactMatch("phone"),
        ],
    )
    linker = Linker(df.drop(columns=["person"]), settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    seconds = time.perf_counter() - started

    person = dict(zip(truth["id"], truth["person"]))
    found = len(predictions)
    true_links = sum(1 for l, r in zip(predictions["id_l"], predictions["id_r"]) if person[l] == person[r])
    sizes = truth.groupby("person").size()
    expected = int((sizes * (sizes - 1) // 2).sum())
    return seconds, found, true_links, expected


def main():
    workload = sys.argv[1]
    if workload == "synthetic":
        seconds, found, true_links, expected = synthetic(sys.argv[2])
        report(seconds, found, true_links, expected)
        return
    path_a, path_b = sys.argv[2:4]
    if workload != "febrl4":
        sys.exit(f"unknown workload {workload}")
    read = lambda p: pd.read_csv(p, skipinitialspace=True, dtype=str).fillna("")
    dfa, dfb = read(path_a), read(path_b)
    for df in (dfa, dfb):
        for column in df.columns:
            df[column] = df[column].str.strip().replace("", None)

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "street_number"),
            block_on("soc_sec_id"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
        ],
    )
    linker = Linker([dfa, dfb], settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        ["l.soc_sec_id = r.soc_sec_id and l.date_of_birth = r.date_of_birth", block_on("given_name", "surname", "postcode")],
        recall=0.8,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    seconds = time.perf_counter() - started

    found = len(predictions)
    true_links = sum(
        1 for l, r in zip(predictions["rec_id_l"], predictions["rec_id_r"]) if truth_key(l) == truth_key(r)
    )
    expected = len(set(map(truth_key, dfa["rec_id"])) & set(map(truth_key, dfb["rec_id"])))
    report(seconds, found, true_links, expected)


def report(seconds, found, true_links, expected):
    precision = true_links / found if found else 0.0
    recall = true_links / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import splink

    print(json.dumps({"tool": f"splink {splink.__version__}", "seconds": seconds, "peak_mb": peak_mb, "links": found,
                      "true_links": true_links, "expected": expected, "precision": precision, "recall": recall, "f1": f1}))


if __name__ == "__main__":
    main()
