/*
 * Reads Delta tables with Spark (local mode, one session for all of them) and prints their rows as JSON
 * lines, so a test can compare what a real Delta reader sees with what was written. Test tooling, run by
 * test/spark/read-delta-tables.ts; docs/delta.md has the command to run it by hand.
 *
 * Arguments: optionally `--out <file>` first (default stdout), then one or more tables, each
 * `--table <path>` followed by optional `--version <n>` (time travel, versionAsOf) and
 * `--where <SQL condition>` (Delta skips files by their stats before reading any Parquet).
 *
 * Output, per table in argument order:
 *   @@table <index> <path>
 *   @@scan {"version":<n>,"checkpointVersion":<n, -1 for none, null for time travel>,"files":<n>}
 *   @@schema <Spark schema JSON>
 *   <one JSON object per row: long columns as strings (exact beyond 2^53), timestamps ISO-8601 UTC>
 *   @@end <index> <row count>
 * or `@@error <index> <message>` instead of the rows when the table cannot be read (exit status 1).
 * Timings go to stderr.
 */
import static org.apache.spark.sql.functions.col;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import scala.Option;

public final class DeltaDump {
  private record TableRequest(String path, Long version, String where) {}

  private DeltaDump() {}

  public static void main(String[] args) throws IOException {
    boolean toFile = args.length >= 2 && args[0].equals("--out");
    List<TableRequest> requests = parse(Arrays.copyOfRange(args, toFile ? 2 : 0, args.length));
    PrintStream out =
        new PrintStream(
            toFile ? new FileOutputStream(args[1]) : new FileOutputStream(FileDescriptor.out),
            false,
            StandardCharsets.UTF_8);
    long startedMs = System.currentTimeMillis();
    SparkSession spark = startSpark();
    System.err.printf("DeltaDump: Spark session in %d ms%n", System.currentTimeMillis() - startedMs);
    boolean failed = false;
    try {
      for (int index = 0; index < requests.size(); index += 1) {
        long tableStartedMs = System.currentTimeMillis();
        failed |= !dump(spark, out, index, requests.get(index));
        long tableMs = System.currentTimeMillis() - tableStartedMs;
        System.err.printf("DeltaDump: table %d in %d ms%n", index, tableMs);
      }
    } finally {
      out.close();
      spark.stop();
    }
    System.exit(failed ? 1 : 0);
  }

  /** One local session, small and quiet: tiny tables, one core, no UI, UTC, nulls kept in JSON. */
  private static SparkSession startSpark() {
    return SparkSession.builder()
        .master("local[1]")
        .appName("lms-speed-layer delta dump")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.jsonGenerator.ignoreNullFields", "false")
        .config("spark.sql.debug.maxToStringFields", "1000")
        .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/spark-warehouse")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        // Delta rebuilds a snapshot's state with this many partitions (default 50: 50 tasks on one core).
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .getOrCreate();
  }

  private static List<TableRequest> parse(String[] args) {
    List<TableRequest> requests = new ArrayList<>();
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) usage("missing value after " + args[i]);
      String value = args[i + 1];
      if (args[i].equals("--table")) {
        requests.add(new TableRequest(value, null, null));
        continue;
      }
      if (requests.isEmpty()) usage(args[i] + " before any --table");
      TableRequest last = requests.remove(requests.size() - 1);
      switch (args[i]) {
        case "--version" -> requests.add(new TableRequest(last.path(), Long.parseLong(value), last.where()));
        case "--where" -> requests.add(new TableRequest(last.path(), last.version(), value));
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (requests.isEmpty()) usage("no --table");
    return requests;
  }

  private static void usage(String problem) {
    System.err.println("DeltaDump: " + problem);
    System.err.println(
        "usage: DeltaDump [--out <file>] --table <path> [--version <n>] [--where <condition>] ...");
    System.exit(2);
  }

  private static boolean dump(SparkSession spark, PrintStream out, int index, TableRequest request) {
    out.println("@@table " + index + " " + request.path());
    try {
      DataFrameReader reader = spark.read().format("delta");
      if (request.version() != null) reader = reader.option("versionAsOf", request.version());
      Dataset<Row> table = reader.load(request.path());
      if (request.where() != null) table = table.where(request.where());
      out.println("@@scan " + describeScan(spark, request, table));
      out.println("@@schema " + table.schema().json());
      List<String> rows = exactLongs(table).toJSON().collectAsList();
      rows.forEach(out::println);
      out.println("@@end " + index + " " + rows.size());
      return true;
    } catch (Exception error) {
      error.printStackTrace();
      out.println("@@error " + index + " " + String.valueOf(error.getMessage()).replace('\n', ' '));
      return false;
    }
  }

  /**
   * What Delta made of the request: the version read, the checkpoint the latest snapshot started from (-1:
   * none; null for time travel) and the number of data files the scan reads (after data skipping). The
   * checkpoint comes from Delta's internal API (LogSegment): pinned to the Delta version of spark.pom.xml.
   */
  private static String describeScan(SparkSession spark, TableRequest request, Dataset<Row> table) {
    int files = table.inputFiles().length;
    if (request.version() != null)
      return String.format(
          "{\"version\":%d,\"checkpointVersion\":null,\"files\":%d}", request.version(), files);
    DeltaLog log = DeltaLog.forTable(spark, request.path());
    Snapshot snapshot = log.update(false, Option.empty(), Option.empty());
    return String.format(
        "{\"version\":%d,\"checkpointVersion\":%d,\"files\":%d}",
        snapshot.version(), snapshot.logSegment().checkpointProvider().version(), files);
  }

  /** Long columns as strings: JSON numbers above 2^53 lose digits in a JavaScript reader. */
  private static Dataset<Row> exactLongs(Dataset<Row> table) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : table.schema().fields()) {
      Column column = col("`" + field.name().replace("`", "``") + "`");
      boolean isLong = field.dataType().equals(DataTypes.LongType);
      columns.add(isLong ? column.cast("string").as(field.name()) : column);
    }
    return table.select(columns.toArray(new Column[0]));
  }
}
