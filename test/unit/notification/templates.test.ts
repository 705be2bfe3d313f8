import { describe, expect, it } from "vitest";
import {
  checkVariables,
  createTemplateRegistry,
  DEFAULT_TEMPLATES,
  MissingTemplateVariableError,
  renderTemplate,
  selectPlural,
  TemplateConfigError,
  templateVariables,
} from "../../../functions/domain/notification/templates.js";

describe("renderTemplate", () => {
  it("substitutes variables, numbers included", () => {
    expect(renderTemplate("{count}笔收款共{total}", { count: 3, total: "¥1,284.50" })).toBe(
      "3笔收款共¥1,284.50",
    );
  });

  it("throws on a missing variable, naming it", () => {
    expect(() => renderTemplate("due {due}", { count: 1 })).toThrow(MissingTemplateVariableError);
    expect(() => renderTemplate("due {due}", { count: 1 })).toThrow("template variable {due} has no value");
  });

  it("does not read inherited properties as variables", () => {
    expect(() => renderTemplate("{toString}", {})).toThrow(MissingTemplateVariableError);
  });

  it("renders in one pass: a value containing {x} stays literal", () => {
    expect(renderTemplate("Hello {merchantName}", { merchantName: "{count} Dumplings" })).toBe(
      "Hello {count} Dumplings",
    );
  });

  it("leaves braces that are not a variable name alone", () => {
    expect(renderTemplate("{ } {1} {count}", { count: 2 })).toBe("{ } {1} 2");
  });

  it("ignores extra variables", () => {
    expect(renderTemplate("{a}", { a: "x", b: "y" })).toBe("x");
  });

  it("lists a template's variables", () => {
    expect(templateVariables("{count} {total} {count}")).toEqual(["count", "total"]);
  });
});

describe("selectPlural", () => {
  it("uses one for exactly 1 and other otherwise; a plain string for all", () => {
    const template = { one: "1 payment", other: "{count} payments" };
    expect(selectPlural(template, 1)).toBe("1 payment");
    expect(selectPlural(template, 0)).toBe("{count} payments");
    expect(selectPlural(template, 2)).toBe("{count} payments");
    expect(selectPlural("{count}笔", 1)).toBe("{count}笔");
  });
});

describe("template registry", () => {
  it("the built-in templates only use the variables their slots are given", () => {
    expect(checkVariables(DEFAULT_TEMPLATES)).toEqual([]);
    expect(createTemplateRegistry()).toEqual(DEFAULT_TEMPLATES);
  });

  it("overrides any subset from config data, keeping the rest", () => {
    const registry = createTemplateRegistry({
      "zh-CN": {
        overdue: { sms: "【结算】{count}笔共{total}未到账。{items}{nextStep}" },
        fragments: { listSeparator: "，" },
      },
      ops: { fileLateSubject: "LATE {acquirer} {day}" },
    });
    expect(registry["zh-CN"].overdue.sms).toBe("【结算】{count}笔共{total}未到账。{items}{nextStep}");
    expect(registry["zh-CN"].overdue.emailSubject).toBe(DEFAULT_TEMPLATES["zh-CN"].overdue.emailSubject);
    expect(registry["zh-CN"].fragments.listSeparator).toBe("，");
    expect(registry["zh-CN"].fragments.smsItem).toBe(DEFAULT_TEMPLATES["zh-CN"].fragments.smsItem);
    expect(registry.en).toEqual(DEFAULT_TEMPLATES.en);
    expect(registry.ops.fileLateSubject).toBe("LATE {acquirer} {day}");
    expect(registry.ops.fileLateBody).toBe(DEFAULT_TEMPLATES.ops.fileLateBody);
  });

  it("rejects a variable the slot is not given, at load time", () => {
    expect(() => createTemplateRegistry({ en: { arrived: { sms: "Arrived {due}" } } })).toThrow(
      "en.arrived.sms: {due} is not available here",
    );
    expect(() =>
      createTemplateRegistry({ en: { overdue: { emailSubject: { one: "{count}", other: "{cuont}" } } } }),
    ).toThrow(TemplateConfigError);
  });

  it("rejects unknown keys and malformed shapes", () => {
    expect(() => createTemplateRegistry({ fr: {} })).toThrow(TemplateConfigError);
    expect(() => createTemplateRegistry({ en: { overdue: { push: "x" } } })).toThrow(TemplateConfigError);
    expect(() => createTemplateRegistry({ en: { fragments: { months: ["Jan"] } } })).toThrow(
      TemplateConfigError,
    );
    expect(() => createTemplateRegistry({ en: { overdue: { sms: { one: "x" } } } })).toThrow(
      TemplateConfigError,
    );
  });
});
