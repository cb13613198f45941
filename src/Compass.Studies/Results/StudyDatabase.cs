using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Studies.Definition;
using Microsoft.Data.Sqlite;

namespace Compass.Studies.Results;

/// <summary>
/// The results database of a study: one SQLite file (Microsoft.Data.Sqlite) in write-ahead-log mode, every write
/// one transaction, so concurrent writers (parallel points, explore and compare appending with <c>--db</c>) are safe
/// and a crash never leaves a half-written row. Rows are keyed by the point id and written with
/// <c>INSERT OR REPLACE</c>, so filling the database from the point result files is idempotent. Schema:
/// docs/studies.md.
/// </summary>
public sealed class StudyDatabase : IDisposable
{
    /// <summary>Schema version stored in <c>meta.schema</c>.</summary>
    public const string SchemaVersion = "compass-study-db/1";

    /// <summary>The numeric metric columns of <c>points</c>, in CSV order.</summary>
    public static readonly string[] MetricColumns =
    [
        "latency_ns", "energy_pj", "edp_js", "objective", "energy_mac_pj", "energy_buffer_pj", "energy_vector_pj",
        "energy_nop_pj", "energy_dram_pj", "energy_static_pj", "cost_usd", "lower_bound_latency_ns", "lower_bound_energy_pj",
    ];

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS axes (position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, path TEXT NOT NULL, values_json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS points (
            point_id TEXT PRIMARY KEY,
            point_index INTEGER NOT NULL,
            kind TEXT NOT NULL,
            study TEXT NOT NULL,
            seed INTEGER NOT NULL,
            axis_values_json TEXT NOT NULL,
            scenario_json TEXT NOT NULL,
            optimizer TEXT,
            budget_evaluations INTEGER,
            rung INTEGER,
            status TEXT NOT NULL,
            error TEXT,
            latency_ns REAL, energy_pj REAL, edp_js REAL, objective REAL,
            energy_mac_pj REAL, energy_buffer_pj REAL, energy_vector_pj REAL, energy_nop_pj REAL, energy_dram_pj REAL, energy_static_pj REAL,
            cost_usd REAL, cost_model TEXT, cost_json TEXT,
            lower_bound_latency_ns REAL, lower_bound_energy_pj REAL,
            evaluations INTEGER,
            wall_seconds REAL,
            output_dir TEXT,
            finished_at TEXT);
        CREATE TABLE IF NOT EXISTS point_axes (
            point_id TEXT NOT NULL REFERENCES points(point_id) ON DELETE CASCADE,
            axis TEXT NOT NULL,
            value_text TEXT NOT NULL,
            value_number REAL,
            PRIMARY KEY (point_id, axis));
        CREATE INDEX IF NOT EXISTS points_by_index ON points(point_index);
        """;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private StudyDatabase(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> and ensures the schema.</summary>
    public static StudyDatabase Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 60, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=60000;");
            using var tx = connection.BeginTransaction();
            Execute(connection, Schema, tx);
            var existing = Scalar(connection, "SELECT value FROM meta WHERE key = 'schema'", tx);
            if (existing is null) Execute(connection, $"INSERT INTO meta(key, value) VALUES ('schema', '{SchemaVersion}')", tx);
            else if ((string)existing != SchemaVersion) throw new CompassInputException("--db", $"{full} has schema '{existing}', expected '{SchemaVersion}'");
            tx.Commit();
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new CompassInputException("--db", $"cannot open {full} as a study database: {e.Message}");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new StudyDatabase(connection, full);
    }

    /// <summary>Records the study (name, file text) and its axes; replaces what an earlier run of the same study recorded.</summary>
    public void RecordStudy(StudyDefinition study, string kind)
    {
        ArgumentNullException.ThrowIfNull(study);
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            SetMeta("study", study.Name, tx);
            SetMeta("kind", kind, tx);
            SetMeta("description", study.Description, tx);
            SetMeta("study_file", study.SourceText, tx);
            SetMeta("combine", study.Combine.ToString().ToLowerInvariant(), tx);
            SetMeta("grid_size", study.PointCount.ToString(CultureInfo.InvariantCulture), tx);
            Execute(_connection, "DELETE FROM axes", tx);
            for (var i = 0; i < study.Axes.Count; i++)
            {
                var a = study.Axes[i];
                using var cmd = Command("INSERT INTO axes(position, name, path, values_json) VALUES ($p, $n, $path, $v)", tx);
                cmd.Parameters.AddWithValue("$p", i);
                cmd.Parameters.AddWithValue("$n", a.Name);
                cmd.Parameters.AddWithValue("$path", a.Path);
                cmd.Parameters.AddWithValue("$v", new JsonArray([.. a.Values.Select(v => v.DeepClone())]).ToJsonString());
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <summary>A value of the <c>meta</c> table, or null.</summary>
    public string? Meta(string key)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT value FROM meta WHERE key = $k");
            cmd.Parameters.AddWithValue("$k", key);
            return cmd.ExecuteScalar() as string;
        }
    }

    /// <summary>Writes (or replaces) one point and its axis values in one transaction.</summary>
    public void Upsert(PointResult result) => UpsertMany([result]);

    /// <summary>Writes (or replaces) points in one transaction: all of them or none.</summary>
    public void UpsertMany(IEnumerable<PointResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            foreach (var r in results) Write(r, tx);
            tx.Commit();
        }
    }

    private void Write(PointResult r, SqliteTransaction tx)
    {
        using (var cmd = Command("""
            INSERT OR REPLACE INTO points(point_id, point_index, kind, study, seed, axis_values_json, scenario_json, optimizer, budget_evaluations, rung,
                status, error, latency_ns, energy_pj, edp_js, objective, energy_mac_pj, energy_buffer_pj, energy_vector_pj, energy_nop_pj, energy_dram_pj,
                energy_static_pj, cost_usd, cost_model, cost_json, lower_bound_latency_ns, lower_bound_energy_pj, evaluations, wall_seconds, output_dir, finished_at)
            VALUES ($id, $index, $kind, $study, $seed, $values, $scenario, $optimizer, $budget, $rung, $status, $error, $latency, $energy, $edp, $objective,
                $mac, $buffer, $vector, $nop, $dram, $static, $cost, $costModel, $costJson, $lbLatency, $lbEnergy, $evaluations, $wall, $out, $finished)
            """, tx))
        {
            var m = r.Metrics;
            var p = cmd.Parameters;
            p.AddWithValue("$id", r.Id);
            p.AddWithValue("$index", r.Index);
            p.AddWithValue("$kind", r.Kind);
            p.AddWithValue("$study", r.Study);
            p.AddWithValue("$seed", r.Seed);
            p.AddWithValue("$values", r.Values.ToJsonString());
            p.AddWithValue("$scenario", r.ScenarioJson);
            p.AddWithValue("$optimizer", (object?)r.Optimizer ?? DBNull.Value);
            p.AddWithValue("$budget", (object?)r.BudgetEvaluations ?? DBNull.Value);
            p.AddWithValue("$rung", (object?)r.Rung ?? DBNull.Value);
            p.AddWithValue("$status", r.Status);
            p.AddWithValue("$error", (object?)r.Error ?? DBNull.Value);
            p.AddWithValue("$latency", Real(m?.LatencyNs));
            p.AddWithValue("$energy", Real(m?.EnergyPj));
            p.AddWithValue("$edp", Real(m?.EdpJs));
            p.AddWithValue("$objective", Real(m?.Objective));
            p.AddWithValue("$mac", Real(m?.MacPj));
            p.AddWithValue("$buffer", Real(m?.BufferPj));
            p.AddWithValue("$vector", Real(m?.VectorPj));
            p.AddWithValue("$nop", Real(m?.NopPj));
            p.AddWithValue("$dram", Real(m?.DramPj));
            p.AddWithValue("$static", Real(m?.StaticPj));
            p.AddWithValue("$cost", Real(m?.CostUsd));
            p.AddWithValue("$costModel", (object?)m?.CostModel ?? DBNull.Value);
            p.AddWithValue("$costJson", (object?)m?.CostBreakdown?.ToJsonString() ?? DBNull.Value);
            p.AddWithValue("$lbLatency", Real(m?.LowerBoundLatencyNs));
            p.AddWithValue("$lbEnergy", Real(m?.LowerBoundEnergyPj));
            p.AddWithValue("$evaluations", (object?)m?.Evaluations ?? DBNull.Value);
            p.AddWithValue("$wall", r.WallSeconds);
            p.AddWithValue("$out", (object?)r.OutputDirectory ?? DBNull.Value);
            p.AddWithValue("$finished", (object?)r.FinishedAt ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
        using (var del = Command("DELETE FROM point_axes WHERE point_id = $id", tx))
        {
            del.Parameters.AddWithValue("$id", r.Id);
            del.ExecuteNonQuery();
        }
        foreach (var (axis, value) in r.Values)
        {
            using var cmd = Command("INSERT INTO point_axes(point_id, axis, value_text, value_number) VALUES ($id, $axis, $text, $number)", tx);
            cmd.Parameters.AddWithValue("$id", r.Id);
            cmd.Parameters.AddWithValue("$axis", axis);
            cmd.Parameters.AddWithValue("$text", value is null ? "null" : Compass.Studies.Points.AxisAssignment.ValueLabel(value));
            cmd.Parameters.AddWithValue("$number", value is JsonValue v && v.TryGetValue<double>(out var d) ? d : DBNull.Value);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Number of rows in <c>points</c>.</summary>
    public int Count()
    {
        lock (_gate) return Convert.ToInt32(Scalar(_connection, "SELECT COUNT(*) FROM points"), CultureInfo.InvariantCulture);
    }

    /// <summary>Every point as a tidy row (column name → value), ordered by kind, index and id; axis values as columns.</summary>
    public (IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows) Table(bool includeScenario = false)
    {
        lock (_gate)
        {
            var axisNames = new List<string>();
            using (var a = Command("SELECT name FROM axes ORDER BY position"))
            using (var reader = a.ExecuteReader())
                while (reader.Read()) axisNames.Add(reader.GetString(0));
            using (var a = Command("SELECT DISTINCT axis FROM point_axes ORDER BY axis"))
            using (var reader = a.ExecuteReader())
                while (reader.Read()) if (!axisNames.Contains(reader.GetString(0))) axisNames.Add(reader.GetString(0));

            string[] head = ["point_id", "point_index", "kind", "study", "seed"];
            string[] tail = ["status", "optimizer", "budget_evaluations", "rung", .. MetricColumns, "cost_model", "evaluations", "wall_seconds", "output_dir", "finished_at", "error"];
            var columns = new List<string>(head);
            columns.AddRange(axisNames);
            columns.AddRange(tail);
            if (includeScenario) columns.Add("scenario_json");

            var values = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
            using (var a = Command("SELECT point_id, axis, value_text, value_number FROM point_axes"))
            using (var reader = a.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (!values.TryGetValue(reader.GetString(0), out var row)) values[reader.GetString(0)] = row = new(StringComparer.Ordinal);
                    row[reader.GetString(1)] = reader.IsDBNull(3) ? reader.GetString(2) : reader.GetDouble(3);
                }
            }
            var rows = new List<IReadOnlyList<object?>>();
            var select = string.Join(", ", head.Concat(tail).Concat(includeScenario ? ["scenario_json"] : []));
            using (var cmd = Command($"SELECT {select} FROM points ORDER BY kind, point_index, point_id"))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    var row = new List<object?>();
                    for (var i = 0; i < head.Length; i++) row.Add(reader.IsDBNull(i) ? null : reader.GetValue(i));
                    var id = reader.GetString(0);
                    foreach (var axis in axisNames) row.Add(values.TryGetValue(id, out var v) && v.TryGetValue(axis, out var x) ? x : null);
                    for (var i = head.Length; i < reader.FieldCount; i++) row.Add(reader.IsDBNull(i) ? null : reader.GetValue(i));
                    rows.Add(row);
                }
            }
            return (columns, rows);
        }
    }

    /// <summary>Every point read back as a result (for reports and the co-exploration's cache), ordered by index.</summary>
    public IReadOnlyList<PointResult> Points()
    {
        lock (_gate)
        {
            var list = new List<PointResult>();
            using var cmd = Command("""
                SELECT point_id, point_index, kind, study, seed, axis_values_json, scenario_json, optimizer, budget_evaluations, rung, status, error,
                    latency_ns, energy_pj, edp_js, objective, energy_mac_pj, energy_buffer_pj, energy_vector_pj, energy_nop_pj, energy_dram_pj, energy_static_pj,
                    cost_usd, cost_model, cost_json, lower_bound_latency_ns, lower_bound_energy_pj, evaluations, wall_seconds, output_dir, finished_at
                FROM points ORDER BY point_index, point_id
                """);
            using var r = cmd.ExecuteReader();
            double? D(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            while (r.Read())
            {
                // A point priced but not searched (over the cost limit) has a cost and no latency.
                var metrics = r.IsDBNull(12) && r.IsDBNull(22) ? null : new PointMetrics
                {
                    LatencyNs = D(12) ?? double.NaN, EnergyPj = D(13) ?? double.NaN, EdpJs = D(14) ?? double.NaN, Objective = D(15) ?? double.NaN,
                    MacPj = D(16) ?? 0, BufferPj = D(17) ?? 0, VectorPj = D(18) ?? 0, NopPj = D(19) ?? 0, DramPj = D(20) ?? 0, StaticPj = D(21) ?? 0,
                    CostUsd = D(22), CostModel = S(23), CostBreakdown = S(24) is { } cj ? JsonNode.Parse(cj) as JsonObject : null,
                    LowerBoundLatencyNs = D(25), LowerBoundEnergyPj = D(26), Evaluations = r.IsDBNull(27) ? 0 : r.GetInt32(27),
                };
                list.Add(new PointResult
                {
                    Id = r.GetString(0), Index = r.GetInt32(1), Kind = r.GetString(2), Study = r.GetString(3), Seed = r.GetInt32(4),
                    Values = JsonNode.Parse(r.GetString(5)) as JsonObject ?? [], ScenarioJson = r.GetString(6), Optimizer = S(7),
                    BudgetEvaluations = r.IsDBNull(8) ? null : r.GetInt32(8), Rung = r.IsDBNull(9) ? null : r.GetInt32(9),
                    Status = r.GetString(10), Error = S(11), Metrics = metrics, WallSeconds = D(28) ?? 0, OutputDirectory = S(29), FinishedAt = S(30),
                });
            }
            return list;
        }
    }

    /// <summary>The axes recorded for the study (name, path, values) in order.</summary>
    public IReadOnlyList<(string Name, string Path, JsonArray Values)> Axes()
    {
        lock (_gate)
        {
            var list = new List<(string, string, JsonArray)>();
            using var cmd = Command("SELECT name, path, values_json FROM axes ORDER BY position");
            using var r = cmd.ExecuteReader();
            while (r.Read()) list.Add((r.GetString(0), r.GetString(1), JsonNode.Parse(r.GetString(2)) as JsonArray ?? []));
            return list;
        }
    }

    /// <summary>Writes the tidy table as CSV (RFC 4180; doubles round-trip; empty cells for missing values).</summary>
    public void WriteCsv(TextWriter writer, bool includeScenario = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var (columns, rows) = Table(includeScenario);
        writer.Write(string.Join(',', columns.Select(Quote)));
        writer.Write('\n');
        foreach (var row in rows)
        {
            writer.Write(string.Join(',', row.Select(v => Quote(Cell(v)))));
            writer.Write('\n');
        }
    }

    private static string Cell(object? v) => v switch
    {
        null => string.Empty,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static object Real(double? v) => v is { } d && double.IsFinite(d) ? d : DBNull.Value;

    private void SetMeta(string key, string value, SqliteTransaction tx)
    {
        using var cmd = Command("INSERT OR REPLACE INTO meta(key, value) VALUES ($k, $v)", tx);
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd.ExecuteScalar();
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _connection.Dispose();
}
