import Foundation
import Testing

/// A simulation campaign as a study end to end: results recorded from an h5py-written dump (`doe observe --results
/// runs.h5`, rows matched by `/id` or imported by parameters, fields stored with them), and the study written back as a
/// dump (`doe trials --format h5`) that `doe train` reads with its fields; bad dumps refused, nothing recorded.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOE_TEST_PYTHON"] != nil, "needs DOE_TEST_PYTHON (make test sets it)"))
struct DumpResultsCLITests {
    static let python = ProcessInfo.processInfo.environment["DOE_TEST_PYTHON"] ?? "python3"

    static let space = """
        parameters:
          - {name: a, type: real, low: 0, high: 1}
          - {name: n, type: int, low: 1, high: 5}
        objectives: [y]
        constraints: [{name: s, max: 3}]
        goal: learn
        """

    /// Writes runs.h5 for the suggested trials in b.csv (id,a,n): columns deliberately in another order than the
    /// space's, an extra output kept as metadata, a 40-wide field. `variant` damages it in one way.
    static func script(_ variant: String) -> String {
        """
        import csv, h5py, numpy as np, sys
        rows = list(csv.DictReader(open(sys.argv[2])))
        ids = np.array([int(r['id']) for r in rows]); a = np.array([float(r['a']) for r in rows])
        n = np.array([float(r['n']) for r in rows])
        variant = '\(variant)'
        y = a * a + n; s = np.sin(3 * a) * n
        if variant == 'nan': y[1] = np.nan
        if variant == 'moved': a = a.copy(); a[2] += 0.25
        with h5py.File(sys.argv[1], 'w') as f:
            if variant != 'noid': f['id'] = ids
            d = f.create_dataset('inputs', data=np.stack([n, a], 1))
            if variant != 'nonames': d.attrs['names'] = ['n', 'a']
            cols = [s, y, 2 * a] if variant != 'missing' else [y, 2 * a]
            o = f.create_dataset('outputs', data=np.stack(cols, 1))
            o.attrs['names'] = ['s', 'y', 'extra'] if variant != 'missing' else ['y', 'extra']
            name = 'bad name' if variant == 'badfield' else 'uy'
            f['fields/' + name] = np.outer(a, np.linspace(0, 1, 40)) + n[:, None]
        """
    }

    @Test func dumpsRoundTripThroughTheStudyAndTrain() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", Self.space)
        try cli.ok(["init", "sims", "--space", "space.yaml", "--seed", "2"])
        try cli.write("b.csv", try cli.ok(["suggest", "sims", "--batch", "12", "--format", "csv"]))
        let journalBefore = try #require(cli.read("studies/sims/journal.jsonl"))

        // refused dumps name the problem; the journal is untouched
        let refusals: [(String, Int32, [String])] = [
            ("nonames", 64, ["/inputs", "no column names", "by name"]),
            ("missing", 64, ["/outputs has no column 's'"]),
            ("nan", 64, ["row 2", "y"]),
            ("moved", 64, ["row 3", "'a'"]),
            ("badfield", 64, ["field name 'bad name'"]),
        ]
        for (variant, status, words) in refusals {
            try cli.write("make.py", Self.script(variant))
            let (made, output) = try runProcess(Self.python, [cli.directory + "/make.py", cli.directory + "/bad.h5",
                                                                       cli.directory + "/b.csv"])
            #expect(made == 0, "\(output)")
            let r = try cli.run(["observe", "sims", "--results", "bad.h5"])
            #expect(r.status == status, "\(variant): \(r.status) \(r.stderr)")
            for w in words { #expect(r.stderr.contains(w), "\(variant): '\(w)' not in \(r.stderr)") }
            #expect(cli.read("studies/sims/journal.jsonl") == journalBefore, "\(variant) wrote to the journal")
        }

        // the good dump: matched by /id and by name, fields stored with each result
        try cli.write("make.py", Self.script("good"))
        let (made, output) = try runProcess(Self.python, [cli.directory + "/make.py", cli.directory + "/runs.h5",
                                                                   cli.directory + "/b.csv"])
        #expect(made == 0, "\(output)")
        #expect(try cli.ok(["observe", "sims", "--results", "runs.h5"]).contains("recorded 12 results"))
        #expect(try cli.ok(["observe", "sims", "--results", "runs.h5"]).contains("already have this result"))
        let trials = try #require((try cli.json(try cli.ok(["trials", "sims", "--format", "json"])) as? [String: Any])?["trials"]
            as? [[String: Any]])
        #expect(trials.count == 12 && trials.allSatisfy { $0["state"] as? String == "completed" })
        let fieldFiles = try FileManager.default.contentsOfDirectory(atPath: cli.directory + "/studies/sims/fields")
        #expect(fieldFiles.count == 12 && fieldFiles.allSatisfy { $0.hasSuffix(".f64") })

        // the study as a dump: the same rows, values, ids and field, read by h5py and by doe train
        let written = try cli.ok(["trials", "sims", "--format", "h5", "--output", "back.h5"])
        #expect(written.contains("wrote 12 completed trials") && written.contains("uy"), "\(written)")
        try cli.write("compare.py", """
            import h5py, numpy as np, sys
            g = h5py.File(sys.argv[1]); f = h5py.File(sys.argv[2])
            names = [x.decode() if isinstance(x, bytes) else x for x in f['inputs'].attrs['names']]
            outs = [x.decode() if isinstance(x, bytes) else x for x in f['outputs'].attrs['names']]
            assert names == ['a', 'n'] and outs == ['y', 's'], (names, outs)
            order = np.argsort(g['id'][:].ravel()); assert (f['id'][:, 0] == g['id'][:][order]).all()
            assert np.array_equal(f['inputs'][:, 0], g['inputs'][:, 1][order]) and np.array_equal(f['inputs'][:, 1], g['inputs'][:, 0][order])
            assert np.array_equal(f['outputs'][:, 0], g['outputs'][:, 1][order]) and np.array_equal(f['outputs'][:, 1], g['outputs'][:, 0][order])
            assert np.array_equal(f['fields/uy'][:], g['fields/uy'][:][order])
            assert list(f['inputs'].attrs['low']) == [0, 1] and list(f['inputs'].attrs['high']) == [1, 5]
            print('same')
            """)
        let (compared, comparison) = try runProcess(Self.python, [cli.directory + "/compare.py", cli.directory + "/runs.h5",
                                                                  cli.directory + "/back.h5"])
        #expect(compared == 0 && comparison.contains("same"), "\(comparison)")
        try cli.ok(["train", "back.h5", "--fields", "/fields/uy", "--out", "model", "--epochs", "30", "--hidden", "8"])
        let manifestText = try #require(cli.read("model/model.json"))
        let manifest = try #require(try cli.json(manifestText) as? [String: Any])
        #expect(manifest["input_names"] as? [String] == ["a", "n"] && manifest["output_names"] as? [String] == ["y", "s"])
        #expect((manifest["pod"] as? [String: Any])?["field_size"] as? Int == 40, "\(manifest["pod"] ?? "no pod")")

        // without /id the rows are imported by their parameters (refused while they match pending trials)
        try cli.ok(["init", "imported", "--space", "space.yaml", "--seed", "3"])
        try cli.write("make.py", Self.script("noid"))
        let (again, log) = try runProcess(Self.python, [cli.directory + "/make.py", cli.directory + "/noid.h5",
                                                              cli.directory + "/b.csv"])
        #expect(again == 0, "\(log)")
        #expect(try cli.ok(["observe", "imported", "--results", "noid.h5"]).contains("imported 12 existing results"))
        let dump = try cli.ok(["trials", "imported", "--format", "h5", "--output", "imported.h5"])
        #expect(dump.contains("wrote 12 completed trials"), "\(dump)")
        // a field file changed after it was recorded is refused when the dump is written
        let folder = cli.directory + "/studies/imported/fields/"
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first)
        chmod(folder + victim, 0o644)
        try Data(repeating: 0, count: 320).write(to: URL(fileURLWithPath: folder + victim))
        let damaged = try cli.run(["trials", "imported", "--format", "h5", "--output", "damaged.h5"])
        #expect(damaged.status == 1 && damaged.stderr.contains("does not match the hash"), "\(damaged.stderr)")
        let needsOutput = try cli.run(["trials", "imported", "--format", "h5"])
        #expect(needsOutput.status == 64 && needsOutput.stderr.contains("--output"), "\(needsOutput.stderr)")
    }

    /// A categorical parameter in a dump: a column of choice indices with the choices in `levels_<name>`; doe train
    /// keeps the level names, observe maps the indices back by name, an index that is no level is refused.
    @Test func categoricalParametersRoundTripAsLevelIndices() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", """
            parameters:
              - {name: a, type: real, low: 0, high: 1}
              - {name: m, type: categorical, choices: [steel, alu, ti]}
            objectives: [{name: y, direction: minimize}]
            """)
        let materials = ["steel", "alu", "ti"]
        var csv = "a,m,y\n"
        for i in 0..<30 { let a = Double(i) / 29; csv += "\(a),\(materials[i % 3]),\(a + Double(i % 3))\n" }
        try cli.write("runs.csv", csv)
        try cli.ok(["init", "cat", "--space", "space.yaml", "--seed", "1"])
        try cli.ok(["observe", "cat", "--results", "runs.csv"])
        try cli.ok(["trials", "cat", "--format", "h5", "--output", "cat.h5"])
        try cli.write("check.py", """
            import h5py, sys
            f = h5py.File(sys.argv[1], 'r')
            levels = [x.decode() if isinstance(x, bytes) else x for x in f['inputs'].attrs['levels_m']]
            assert levels == ['steel', 'alu', 'ti'], levels
            m = f['inputs'][:, 1]; y = f['outputs'][:, 0]; a = f['inputs'][:, 0]
            assert set(m) == {0.0, 1.0, 2.0} and all(abs(y - a - m) < 1e-12), (m, y - a)
            g = h5py.File(sys.argv[2], 'w')   # the same rows without /id (imported by parameters), and a bad index
            for name in ('inputs', 'outputs'):
                g[name] = f[name][:]
                for k, v in f[name].attrs.items(): g[name].attrs[k] = v
            h = h5py.File(sys.argv[3], 'w')
            x = f['inputs'][:]; x[4, 1] = 3
            h['inputs'] = x; h['outputs'] = f['outputs'][:]
            for name in ('inputs', 'outputs'):
                for k, v in f[name].attrs.items(): h[name].attrs[k] = v
            print('ok')
            """)
        let (checked, log) = try runProcess(Self.python, [cli.directory + "/check.py", cli.directory + "/cat.h5",
                                                          cli.directory + "/noid.h5", cli.directory + "/bad.h5"])
        #expect(checked == 0 && log.contains("ok"), "\(log)")
        try cli.ok(["train", "cat.h5", "--out", "model", "--epochs", "40", "--hidden", "8"])
        let manifestText = try #require(cli.read("model/model.json"))
        let manifest = try #require(try cli.json(manifestText) as? [String: Any])
        #expect((manifest["categorical_inputs"] as? [String: [String]])?["m"] == materials, "\(manifest["categorical_inputs"] ?? "none")")
        try cli.write("points.csv", "a,m\n0.5,alu\n0.5,ti\n")
        let predicted = try cli.ok(["predict", "model", "--input", "points.csv"])
        #expect(predicted.split(separator: "\n").count == 3, "\(predicted)")
        try cli.ok(["init", "again", "--space", "space.yaml", "--seed", "2"])
        #expect(try cli.ok(["observe", "again", "--results", "noid.h5"]).contains("imported 30 existing results"))
        let before = try #require((try cli.json(try cli.ok(["trials", "cat", "--format", "json"])) as? [String: Any])?["trials"]
            as? [[String: Any]])
        let after = try #require((try cli.json(try cli.ok(["trials", "again", "--format", "json"])) as? [String: Any])?["trials"]
            as? [[String: Any]])
        let key = { (t: [String: Any]) -> String in
            let p = t["params"] as? [String: Any] ?? [:]
            return "\(p["a"] ?? "") \(p["m"] ?? "")"
        }
        #expect(Set(before.map(key)) == Set(after.map(key)) && Set(after.map(key)).count == 30)
        let journal = cli.read("studies/again/journal.jsonl")
        let bad = try cli.run(["observe", "again", "--results", "bad.h5"])
        #expect(bad.status == 64 && bad.stderr.contains("'m' row 5") && bad.stderr.contains("levels_m"), "\(bad.stderr)")
        #expect(cli.read("studies/again/journal.jsonl") == journal)
        let untrainable = try cli.run(["train", "bad.h5", "--out", "model2", "--epochs", "5"])
        #expect(untrainable.status == 64 && untrainable.stderr.contains("row 5"), "\(untrainable.stderr)")
    }
}
