/**
 * Reads our WEVT_TEMPLATE with an independent implementation: libyal's libfwevt, the parser the
 * format documentation belongs to, as Debian builds it into libevtx1 (scripts/setup.sh installs
 * it; its libfwevt_* functions are exported). The pypi binding libfwevt-python cannot be
 * installed here (pypi is not reachable from this workplace), so the library is called through
 * koffi instead. That libfwevt (2018) exposes provider GUIDs, element counts, event IDs, message
 * IDs, template offsets and the template BinXML; it has no getter for event versions or channel
 * names, which engine/src/output/windows-eventlog/wevt-template.test.ts checks byte-wise.
 */
import { existsSync } from "node:fs";
import koffi from "koffi";
import { guidToBytes } from "../../engine/src/output/windows-eventlog/guid";
import { EVENTLOG_PROVIDER_GUID, MESSAGE_ID, eventLogMessages, windowsEvents } from "../../engine/src/output/windows-eventlog/manifest";
import { buildWevtTemplate } from "../../engine/src/output/windows-eventlog/wevt-template";

const LIBEVTX = "/usr/lib/x86_64-linux-gnu/libevtx.so.1";
/** libfwevt_definitions.h: LIBFWEVT_XML_DOCUMENT_READ_FLAG_HAS_DEPENDENCY_IDENTIFIERS. */
const HAS_DEPENDENCY_IDENTIFIERS = 0x02;
const TEMPLATE_HEADER_BYTES = 40;
/** libfwevt value type of a UTF-16 string, as the substitution values below are given. */
const VALUE_TYPE_UTF16 = 0x01;

function loadLibfwevt() {
  if (!existsSync(LIBEVTX)) throw new Error(`${LIBEVTX} is missing: scripts/setup.sh installs libevtx1`);
  const lib = koffi.load(LIBEVTX);
  const fn = (signature: string) => lib.func(signature);
  return {
    manifestInitialize: fn("int libfwevt_manifest_initialize(_Out_ void **manifest, _Out_ void **error)"),
    manifestRead: fn("int libfwevt_manifest_read(void *manifest, const uint8_t *data, size_t size, _Out_ void **error)"),
    manifestFree: fn("int libfwevt_manifest_free(_Inout_ void **manifest, _Out_ void **error)"),
    providerCount: fn("int libfwevt_manifest_get_number_of_providers(void *manifest, _Out_ int *count, _Out_ void **error)"),
    provider: fn("int libfwevt_manifest_get_provider(void *manifest, int index, _Out_ void **provider, _Out_ void **error)"),
    compareGuid: fn("int libfwevt_provider_compare_identifier(void *provider, const uint8_t *guid, size_t size, _Out_ void **error)"),
    channelCount: fn("int libfwevt_provider_get_number_of_channels(void *provider, _Out_ int *count, _Out_ void **error)"),
    eventCount: fn("int libfwevt_provider_get_number_of_events(void *provider, _Out_ int *count, _Out_ void **error)"),
    taskCount: fn("int libfwevt_provider_get_number_of_tasks(void *provider, _Out_ int *count, _Out_ void **error)"),
    levelCount: fn("int libfwevt_provider_get_number_of_levels(void *provider, _Out_ int *count, _Out_ void **error)"),
    templateCount: fn("int libfwevt_provider_get_number_of_templates(void *provider, _Out_ int *count, _Out_ void **error)"),
    // By identifier: that libfwevt's libfwevt_provider_get_event(index) never fills its out-parameter.
    eventById: fn("int libfwevt_provider_get_event_by_identifier(void *provider, uint32_t id, _Out_ void **event, _Out_ void **error)"),
    eventId: fn("int libfwevt_event_get_identifier(void *event, _Out_ uint32_t *id, _Out_ void **error)"),
    eventMessageId: fn("int libfwevt_event_get_message_identifier(void *event, _Out_ uint32_t *id, _Out_ void **error)"),
    eventTemplateOffset: fn("int libfwevt_event_get_template_offset(void *event, _Out_ uint32_t *offset, _Out_ void **error)"),
    templateByOffset: fn("int libfwevt_provider_get_template_by_offset(void *provider, uint32_t offset, _Out_ void **template, _Out_ void **error)"),
    templateSize: fn("int libfwevt_template_get_size(void *template, _Out_ uint32_t *size, _Out_ void **error)"),
    xmlInitialize: fn("int libfwevt_xml_document_initialize(_Out_ void **doc, _Out_ void **error)"),
    xmlFree: fn("int libfwevt_xml_document_free(_Inout_ void **doc, _Out_ void **error)"),
    xmlRead: fn(
      "int libfwevt_xml_document_read_with_template_values(void *doc, const uint8_t *data, size_t size, size_t offset, int codepage, uint8_t flags, void *values, _Out_ void **error)",
    ),
    xmlStringSize: fn("int libfwevt_xml_document_get_utf8_xml_string_size(void *doc, _Out_ size_t *size, _Out_ void **error)"),
    xmlString: fn("int libfwevt_xml_document_get_utf8_xml_string(void *doc, _Out_ uint8_t *text, size_t size, _Out_ void **error)"),
    arrayInitialize: fn("int libcdata_array_initialize(_Out_ void **array, int count, _Out_ void **error)"),
    arrayAppend: fn("int libcdata_array_append_entry(void *array, _Out_ int *index, void *entry, _Out_ void **error)"),
    arrayFree: fn("int libcdata_array_free(_Inout_ void **array, void *freeEntry, _Out_ void **error)"),
    valueInitialize: fn("int libfwevt_xml_template_value_initialize(_Out_ void **value, _Out_ void **error)"),
    valueSetType: fn("int libfwevt_xml_template_value_set_type(void *value, uint8_t type, _Out_ void **error)"),
    valueSetOffset: fn("int libfwevt_xml_template_value_set_offset(void *value, size_t offset, _Out_ void **error)"),
    valueSetSize: fn("int libfwevt_xml_template_value_set_size(void *value, uint16_t size, _Out_ void **error)"),
    errorSprint: fn("int libcerror_error_backtrace_sprint(void *error, _Out_ uint8_t *text, size_t size)"),
  };
}

type Libfwevt = ReturnType<typeof loadLibfwevt>;

describe("WEVT_TEMPLATE read back by libyal libfwevt (Debian libevtx1)", () => {
  let fwevt: Libfwevt;
  const wevt = buildWevtTemplate();
  let manifest: unknown;
  let provider: unknown;

  /** Calls a libfwevt function that returns 1 on success, turning its libcerror chain into the failure. */
  function call(name: keyof Libfwevt, ...args: unknown[]): void {
    const error: unknown[] = [null];
    const result = (fwevt[name] as (...a: unknown[]) => number)(...args, error);
    if (result === 1) return;
    const text = Buffer.alloc(4096);
    if (error[0]) fwevt.errorSprint(error[0], text, text.length);
    throw new Error(`${name} returned ${result}: ${text.toString("utf8").replace(/\0.*$/s, "")}`);
  }

  function count(name: keyof Libfwevt): number {
    const out = [0];
    call(name, provider, out);
    return out[0]!;
  }

  beforeAll(() => {
    fwevt = loadLibfwevt();
    const manifestOut: unknown[] = [null];
    call("manifestInitialize", manifestOut);
    manifest = manifestOut[0];
    call("manifestRead", manifest, wevt, wevt.length);
    const providerOut: unknown[] = [null];
    call("provider", manifest, 0, providerOut);
    provider = providerOut[0];
  });

  afterAll(() => {
    if (manifest) call("manifestFree", [manifest]);
  });

  test("one provider, ours: the GUID compares equal, another does not", () => {
    const providers = [0];
    call("providerCount", manifest, providers);
    expect(providers[0]).toBe(1);
    const error: unknown[] = [null];
    expect(fwevt.compareGuid(provider, guidToBytes(EVENTLOG_PROVIDER_GUID), 16, error)).toBe(1);
    expect(fwevt.compareGuid(provider, guidToBytes("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"), 16, error)).toBe(0);
  });

  test("one channel; a task, a template and an event per Windows event of the catalogue; its two levels", () => {
    const expected = windowsEvents().length;
    expect(count("channelCount")).toBe(1);
    expect(count("eventCount")).toBe(expected);
    expect(count("taskCount")).toBe(expected);
    expect(count("templateCount")).toBe(expected);
    expect(count("levelCount")).toBe(new Set(windowsEvents().map((e) => e.levelValue)).size);
  });

  test("an event the catalogue does not have on Windows is not found", () => {
    const error: unknown[] = [null];
    expect(fwevt.eventById(provider, 100, [null], error)).toBe(0);
    expect(fwevt.eventById(provider, 30, [null], error)).toBe(0);
  });

  test("every Windows event: its ID, a message ID the message table has, and a template whose BinXML names its fields in order", () => {
    const messages = eventLogMessages();
    for (const def of windowsEvents()) {
      const eventOut: unknown[] = [null];
      call("eventById", provider, def.id, eventOut);
      const id = [0];
      const messageId = [0];
      const templateOffset = [0];
      call("eventId", eventOut[0], id);
      call("eventMessageId", eventOut[0], messageId);
      call("eventTemplateOffset", eventOut[0], templateOffset);
      expect(id[0]).toBe(def.id);
      expect(messageId[0]).toBe(MESSAGE_ID.event(def.id));
      expect(messages.get(messageId[0]!)).toMatch(new RegExp(`^${def.name}:`));

      const templateOut: unknown[] = [null];
      call("templateByOffset", provider, templateOffset[0], templateOut);
      const size = [0];
      call("templateSize", templateOut[0], size);
      expect(size[0]).toBeGreaterThan(TEMPLATE_HEADER_BYTES);

      // Substitution i is given the name stored in template item descriptor i (libfwevt document,
      // "Template item descriptor": name offset at +16, the name a size-prefixed UTF-16 string), so
      // the rendered XML shows both the Data Name attributes and which item each substitution is.
      const itemsAt = wevt.readUInt32LE(templateOffset[0]! + 16);
      const arrayOut: unknown[] = [null];
      call("arrayInitialize", arrayOut, 0);
      for (let item = 0; item < def.fields.length; item++) {
        const nameAt = wevt.readUInt32LE(itemsAt + item * 20 + 16);
        const valueOut: unknown[] = [null];
        call("valueInitialize", valueOut);
        call("valueSetType", valueOut[0], VALUE_TYPE_UTF16);
        call("valueSetOffset", valueOut[0], nameAt + 4);
        call("valueSetSize", valueOut[0], wevt.readUInt32LE(nameAt) - 4);
        call("arrayAppend", arrayOut[0], [0], valueOut[0]);
      }
      const docOut: unknown[] = [null];
      call("xmlInitialize", docOut);
      try {
        const start = templateOffset[0]! + TEMPLATE_HEADER_BYTES;
        call("xmlRead", docOut[0], wevt, wevt.length, start, 1252, HAS_DEPENDENCY_IDENTIFIERS, arrayOut[0]);
        const xmlSize = [0];
        call("xmlStringSize", docOut[0], xmlSize);
        const text = Buffer.alloc(xmlSize[0]!);
        call("xmlString", docOut[0], text, text.length);
        const xml = text.toString("utf8").replace(/\0+$/, "");
        expect(xml.startsWith("<EventData>")).toBe(true);
        expect([...xml.matchAll(/<Data Name="([^"]+)">([^<]*)<\/Data>/g)].map((m) => `${m[1]}=${m[2]}`)).toEqual(def.fields.map((f) => `${f.name}=${f.name}`));
      } finally {
        call("xmlFree", docOut);
        // The values are leaked on purpose: freeing them needs libfwevt_xml_template_value_free as a
        // callback pointer, and a test process's few KiB do not justify that plumbing.
        call("arrayFree", arrayOut, null);
      }
    }
  });
});
