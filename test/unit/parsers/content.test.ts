import { describe, expect, it } from "vitest";
import { contentRowTransform } from "../../../shared/parsers/content-rows.js";
import { parseContentAccessLine } from "../../../shared/parsers/content/line.js";
import { parseMavenPath } from "../../../shared/parsers/content/maven.js";
import { parseContentPath } from "../../../shared/parsers/content/path.js";
import { parseRpmName } from "../../../shared/parsers/content/rpm.js";
import { CONTENT_TYPES, contentSchema, type ContentType } from "../../../shared/parsers/content/types.js";
import { parseWheelName } from "../../../shared/parsers/content/wheel.js";
import { IdentitySanitizer } from "../../../shared/sanitize/index.js";
import { pulpHourStream } from "../../helpers/pulp-log-stream.js";

const PREFIX = "/api/pulp-content/";
const EXAMPLE =
  '10.128.4.123 [09/Jun/2026:14:30:00 +0000] "GET /api/pulp-content/public-rhai/rhoai/3.5-EA2/cpu-ubi9/requests-2.34.2-2-py3-none-any.whl HTTP/1.1" 200 19456789 "-" "pip/24.0" cache:"HIT" artifact_size:"19456789" rh_org_id:"123456" x_forwarded_for:"23.48.249.160,10.0.0.1" request_time:"0.003200"';
const T = Date.UTC(2026, 5, 9, 14, 30);

function transform(type: ContentType) {
  return contentRowTransform({ contentType: type, pathPrefix: PREFIX, excludePaths: ["/livez", "/status"] }, new IdentitySanitizer()).apply;
}

describe("the content-app access-log line", () => {
  it("parses the documented example", () => {
    expect(parseContentAccessLine(EXAMPLE)).toEqual({
      correlationId: null,
      remoteAddr: "10.128.4.123",
      method: "GET",
      path: "/api/pulp-content/public-rhai/rhoai/3.5-EA2/cpu-ubi9/requests-2.34.2-2-py3-none-any.whl",
      statusCode: 200,
      responseBytes: 19456789,
      userAgent: "pip/24.0",
      cacheHit: true,
      artifactSize: 19456789,
      orgId: "123456",
      xForwardedFor: "23.48.249.160,10.0.0.1",
      requestTimeMs: 3,
    });
  });

  it("reads - as null, keeps the whole forwarded chain as logged, and takes a line without request_time", () => {
    const line = EXAMPLE.replace('cache:"HIT"', 'cache:"-"')
      .replace('artifact_size:"19456789"', 'artifact_size:"-"')
      .replace('rh_org_id:"123456"', 'rh_org_id:"-"')
      .replace('x_forwarded_for:"23.48.249.160,10.0.0.1"', 'x_forwarded_for:"2001:db8::1, 10.0.0.1, 10.0.0.2"')
      .replace(' request_time:"0.003200"', "")
      .replace('"pip/24.0"', '"-"');
    expect(parseContentAccessLine(line)).toMatchObject({
      cacheHit: null,
      artifactSize: null,
      orgId: null,
      xForwardedFor: "2001:db8::1, 10.0.0.1, 10.0.0.2",
      requestTimeMs: null,
      userAgent: null,
    });
    expect(parseContentAccessLine(EXAMPLE.replace('cache:"HIT"', 'cache:"MISS"'))?.cacheHit).toBe(false);
    expect(parseContentAccessLine(EXAMPLE.replace('x_forwarded_for:"23.48.249.160,10.0.0.1"', 'x_forwarded_for:"-"'))?.xForwardedFor).toBeNull();
  });

  it("rounds request_time to whole milliseconds half to even on its decimal digits, as upstream's round() does", () => {
    expect(parseContentAccessLine(EXAMPLE.replace("0.003200", "0.004500"))?.requestTimeMs).toBe(4);
    expect(parseContentAccessLine(EXAMPLE.replace("0.003200", "0.005500"))?.requestTimeMs).toBe(6);
    expect(parseContentAccessLine(EXAMPLE.replace("0.003200", "0.0045001"))?.requestTimeMs).toBe(5);
    expect(parseContentAccessLine(EXAMPLE.replace("0.003200", "12.3456"))?.requestTimeMs).toBe(12_346);
    expect(parseContentAccessLine(EXAMPLE.replace("0.003200", "0"))?.requestTimeMs).toBe(0);
  });

  it("accepts a pulp [correlation-id] prefix and a pip user agent holding quotes", () => {
    const agent = 'pip/25.0.1 {"ci":null,"cpu":"x86_64","installer":{"name":"pip"}}';
    const parsed = parseContentAccessLine(`pulp [abc-123]: ${EXAMPLE.replace('"pip/24.0"', `"${agent}"`)}`);
    expect(parsed).toMatchObject({ correlationId: "abc-123", userAgent: agent, cacheHit: true });
  });

  it.each([
    [
      "the access-log format of the API",
      'pulp [x]: 1.2.3.4 - user:u org_id:o [09/Jun/2026:14:30:00 +0000] "GET /api/pypi/a/b/simple/c/ HTTP/1.1" 200 1 "-" "pip" 5 x_forwarded_for:"-"',
    ],
    ["a cut line", EXAMPLE.slice(0, EXAMPLE.indexOf(" cache:"))],
    ["a non-numeric size", EXAMPLE.replace('artifact_size:"19456789"', 'artifact_size:"big"')],
    ["a non-numeric request time", EXAMPLE.replace("0.003200", "fast")],
    ["a bad status", EXAMPLE.replace('" 200 ', '" 2x0 ')],
  ])("refuses %s", (_name, line) => {
    expect(parseContentAccessLine(line)).toBeUndefined();
  });
});

describe("the request path", () => {
  it("splits domain, distribution (with RPM repository structure removed) and file", () => {
    expect(parseContentPath("/api/pulp-content/public-rhai/rhoai/3.5-EA2/cpu-ubi9/requests-2.34.2-2-py3-none-any.whl?x=1", PREFIX)).toEqual({
      domain: "public-rhai",
      distribution: "rhoai/3.5-EA2/cpu-ubi9",
      directories: ["rhoai", "3.5-EA2", "cpu-ubi9"],
      filename: "requests-2.34.2-2-py3-none-any.whl",
      artifactPath: "/api/pulp-content/public-rhai/rhoai/3.5-EA2/cpu-ubi9/requests-2.34.2-2-py3-none-any.whl",
    });
    expect(parseContentPath("/api/pulp-content/d/rhel9/baseos/Packages/b/bash-5.1.8-9.el9.x86_64.rpm", PREFIX)?.distribution).toBe("rhel9/baseos");
    expect(parseContentPath("/api/pulp-content/d/epel9/Packages/vim-8.2-1.el9.x86_64.rpm", PREFIX)?.distribution).toBe("epel9");
    expect(parseContentPath("/api/pulp-content/d/rhel9/baseos/repodata/4f1e6c-primary.xml.gz", PREFIX)).toMatchObject({
      distribution: "rhel9/baseos",
      filename: "4f1e6c-primary.xml.gz",
    });
  });

  it.each(["/api/pypi/d/x/simple/y/", "/api/pulp-content/d/file.whl", "/api/pulp-content/d//x/file.whl", "/api/pulp-content/d/x/"])(
    "has no file in %s",
    (path) => {
      expect(parseContentPath(path, PREFIX)).toBeUndefined();
    },
  );
});

describe("file name grammars", () => {
  it("reads wheels, build tags, compressed tag sets and .whl.metadata", () => {
    expect(parseWheelName("requests-2.34.2-2-py3-none-any.whl")).toEqual({
      name: "requests",
      version: "2.34.2",
      buildTag: "2",
      pythonTag: "py3",
      abiTag: "none",
      platformTag: "any",
    });
    expect(parseWheelName("numpy-2.2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")).toMatchObject({
      buildTag: null,
      platformTag: "manylinux_2_17_x86_64.manylinux2014_x86_64",
    });
    expect(parseWheelName("zope.interface-7.2-py2.py3-none-any.whl.metadata")).toMatchObject({ name: "zope.interface", pythonTag: "py2.py3" });
    for (const bad of ["not_a_wheel.whl", "requests-2.34.2-x-py3-none-any.whl", "requests-2.34.2.tar.gz", "a-1-py3-none.whl"])
      expect(parseWheelName(bad), bad).toBeUndefined();
  });

  it("reads NEVRA from RPM file names, epochs and source RPMs included", () => {
    expect(parseRpmName("bash-5.1.8-9.el9.x86_64.rpm")).toEqual({ name: "bash", epoch: 0, version: "5.1.8", release: "9.el9", arch: "x86_64" });
    expect(parseRpmName("python3-libs-3.9.19-1.el9.aarch64.rpm")).toMatchObject({ name: "python3-libs", version: "3.9.19" });
    expect(parseRpmName("vim-enhanced-2:8.2.2637-20.el9.x86_64.rpm")).toMatchObject({ name: "vim-enhanced", epoch: 2, version: "8.2.2637" });
    expect(parseRpmName("glibc-2.34-100.el9.src.rpm")).toMatchObject({ arch: "src", release: "100.el9" });
    for (const bad of ["broken.rpm", "bash-5.1.8.x86_64.rpm", "bash-5.1.8-9.el9.rpm.sig", "repomd.xml"]) expect(parseRpmName(bad), bad).toBeUndefined();
  });

  it("reads Maven coordinates from the repository layout, classifiers included", () => {
    expect(parseMavenPath(["org", "apache", "commons", "commons-lang3", "3.14.0"], "commons-lang3-3.14.0.jar")).toEqual({
      groupId: "org.apache.commons",
      artifactId: "commons-lang3",
      version: "3.14.0",
      classifier: null,
      packaging: "jar",
    });
    expect(parseMavenPath(["org", "lwjgl", "lwjgl", "3.3.3"], "lwjgl-3.3.3-natives-linux.jar")).toMatchObject({ classifier: "natives-linux" });
    expect(parseMavenPath(["com", "google", "guava", "guava", "33.0.0-jre"], "guava-33.0.0-jre.pom")).toMatchObject({
      version: "33.0.0-jre",
      packaging: "pom",
    });
    expect(parseMavenPath(["org", "example", "app", "1.0"], "other-name-1.0.jar")).toBeUndefined();
    expect(parseMavenPath(["app", "1.0"], "app-1.0.jar")).toBeUndefined();
    expect(parseMavenPath(["org", "app", "1.0"], "app-1.0.jar.sha1")).toBeUndefined();
  });
});

describe("content rows", () => {
  it("maps the example to the python schema, column for column", () => {
    const result = transform("python")({ timestamp: T, message: JSON.stringify({ log: `${EXAMPLE}\n`, stream: "stdout" }), logStream: "s" });
    expect(result).toEqual({
      kind: "row",
      row: {
        timestamp: BigInt(T) * 1_000_000n,
        domain: "public-rhai",
        distribution: "rhoai/3.5-EA2/cpu-ubi9",
        package_name: "requests",
        package_version: "2.34.2",
        architecture: "any",
        artifact_path: "/api/pulp-content/public-rhai/rhoai/3.5-EA2/cpu-ubi9/requests-2.34.2-2-py3-none-any.whl",
        artifact_size: 19456789,
        status_code: 200,
        cache_hit: true,
        user_agent: "pip/24.0",
        org_id: "123456",
        x_forwarded_for: "23.48.249.160,10.0.0.1",
        request_time_ms: 3,
        build_tag: "2",
        pyver: "py3",
        abi: "none",
      },
    });
    const names = contentSchema("python").map((c) => c.name);
    expect(Object.keys(result.kind === "row" ? result.row : {}).sort()).toEqual([...names].sort());
  });

  it("counts other types, files that break the grammar, other paths and lines that do not parse", () => {
    expect(transform("rpm")({ timestamp: T, message: EXAMPLE, logStream: "s" })).toEqual({ kind: "excluded", reason: "other-content-type" });
    expect(transform("python")({ timestamp: T, message: EXAMPLE.replace("requests-2.34.2-2-py3-none-any.whl", "not_a_wheel.whl"), logStream: "s" })).toEqual({
      kind: "excluded",
      reason: "unmatched-filename",
    });
    expect(transform("python")({ timestamp: T, message: EXAMPLE.replace("/api/pulp-content/", "/pulp/content/"), logStream: "s" })).toEqual({
      kind: "excluded",
      reason: "other-path",
    });
    expect(transform("python")({ timestamp: T, message: EXAMPLE.replace(/"GET \S+/, '"GET /livez'), logStream: "s" })).toEqual({
      kind: "excluded",
      reason: "excluded-path",
    });
    expect(transform("python")({ timestamp: T, message: EXAMPLE.slice(0, 80), logStream: "s" })).toMatchObject({ kind: "malformed" });
  });

  it("agrees with the generator's truth on every content line of a generated hour, for every type", () => {
    const hour = Date.UTC(2026, 5, 9, 14);
    const stream = pulpHourStream({ hourStartMs: hour, eventsInHour: 20_000, contentShare: 600, marginSeconds: 0 });
    const seen = { rows: 0, unmatched: 0, other: 0 };
    const transforms = Object.fromEntries(CONTENT_TYPES.map((t) => [t, transform(t)])) as Record<ContentType, ReturnType<typeof transform>>;
    for (const event of stream.events(hour, hour + 3_600_000)) {
      const truth = event.content;
      if (truth === undefined) continue;
      for (const type of CONTENT_TYPES) {
        const result = transforms[type]({ timestamp: event.timestamp, message: event.message, logStream: event.logStreamName });
        if (truth.type !== type) {
          expect(result).toEqual({ kind: "excluded", reason: "other-content-type" });
          seen.other += 1;
        } else if (truth.coordinates === null) {
          expect(result).toEqual({ kind: "excluded", reason: "unmatched-filename" });
          seen.unmatched += 1;
        } else {
          seen.rows += 1;
          expect(result).toEqual({
            kind: "row",
            row: {
              timestamp: BigInt(event.timestamp) * 1_000_000n,
              domain: truth.domain,
              distribution: truth.coordinates.distribution,
              package_name: truth.coordinates.packageName,
              package_version: truth.coordinates.packageVersion,
              architecture: truth.coordinates.architecture,
              artifact_path: truth.path.split("?")[0],
              artifact_size: truth.artifactSize,
              status_code: truth.statusCode,
              cache_hit: truth.cacheHit,
              user_agent: truth.userAgent,
              org_id: truth.orgId,
              x_forwarded_for: truth.xForwardedFor,
              request_time_ms: truth.requestTimeMs,
              ...truth.coordinates.extra,
            },
          });
        }
      }
    }
    expect(seen.rows).toBeGreaterThan(5_000);
    expect(seen.unmatched).toBeGreaterThan(100);
    expect(seen.other).toBeGreaterThan(10_000);
  });
});
