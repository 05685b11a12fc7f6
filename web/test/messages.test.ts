import { describe, expect, it } from "vitest";
import { chooseLanguage, cy, en, formatWhen, languages, t } from "../src/app/messages.js";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogues", () => {
  it("speak English and Welsh", () => {
    expect(languages).toEqual(["en", "cy"]);
  });

  it("give every Welsh message the placeholders of the English one, and no empty text", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(cy[key]), key).toEqual(placeholders(en[key]));
      expect(cy[key].trim().length, key).toBeGreaterThan(0);
    }
    expect(Object.keys(cy).sort()).toEqual(Object.keys(en).sort());
  });

  it("choose the browser's first language the app speaks, English otherwise", () => {
    expect(chooseLanguage(["cy-GB", "en-GB"])).toBe("cy");
    expect(t("introStart")).toBe("Dechrau");
    expect(t("checkedIn", { venue: "Y Llew Coch" })).toBe("Wedi cofrestru yn Y Llew Coch.");
    expect(chooseLanguage(["fr-FR", "CY"])).toBe("cy");
    expect(chooseLanguage(["fr-FR", "de"])).toBe("en");
    expect(t("introStart")).toBe("Start");
    expect(chooseLanguage([])).toBe("en");
  });

  it("write dates in Welsh with Welsh day and month names", () => {
    chooseLanguage(["cy"]);
    // Thursday 3 December 2026, 08:04 local time.
    expect(formatWhen(new Date(2026, 11, 3, 8, 4))).toBe("Iau 3 Rhag, 08:04");
    expect(formatWhen(new Date(2027, 0, 31, 23, 59))).toBe("Sul 31 Ion, 23:59");
    chooseLanguage(["en"]);
    expect(formatWhen(new Date(2026, 11, 3, 8, 4))).not.toContain("Rhag");
  });
});
