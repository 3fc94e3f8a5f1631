/**
 * The simulator's site texts, as Discourse serves them (app/controllers/admin/site_texts_controller.rb,
 * app/serializers/site_text_serializer.rb, app/models/translation_override.rb):
 *
 * - GET /site/basic-info.json: the site's title and default `locale` (SiteSetting.default_locale);
 * - GET /admin/customize/site_texts/{id}.json?locale=: the text as the site shows it (an admin's
 *   override, else the default); a blank or unknown locale is invalid_parameters (400), an unknown
 *   key not_found;
 * - PUT /admin/customize/site_texts/{id}.json with site_text[value] and site_text[locale]: saves an
 *   override; a value that uses an interpolation key the default does not have (`%{...}`,
 *   TranslationOverride#check_interpolation_keys) is refused with 422 {failed, message}.
 *
 * Only the texts the product touches are here: the welcome message every new member gets
 * (SystemMessage :welcome_user; its default from config/locales/server.en.yml).
 */
import type { Express, Request, Response } from "express";
import { ERR_404 } from "./errors.js";

export const WELCOME_USER = "system_messages.welcome_user.text_body_template";

const DEFAULTS: Record<string, string> = {
  [WELCOME_USER]:
    "Thanks for joining %{site_name}, and welcome!\n\n%{new_user_tips}\n\n" +
    "We believe in [civilized community behavior](%{base_url}/guidelines) at all times.\n\nEnjoy your stay!\n",
};

/** The locales a forum offers (LocaleSiteSetting); the simulated one speaks these. */
const LOCALES = new Set(["en", "pt_BR", "tr_TR", "zh_CN", "de", "fr"]);

export interface SimSiteTexts {
  /** The forum's default locale. */
  locale: string;
  /** Overrides by `${locale}:${key}`. */
  overrides: Map<string, string>;
}

const keysOf = (text: string) => new Set([...text.matchAll(/%\{([^{}]+?)\}/g)].map((m) => m[1]!));

export function registerSiteTexts(
  app: Express,
  ctx: { title: string; log: (req: Request, res: Response) => void },
): SimSiteTexts {
  const texts: SimSiteTexts = { locale: "en", overrides: new Map() };

  app.get("/site/basic-info.json", (_req, res) => {
    res.json({
      logo_url: "/images/discourse-logo-sketch.png",
      logo_small_url: "/images/discourse-logo-sketch-small.png",
      apple_touch_icon_url: "/images/default-apple-touch-icon.png",
      favicon_url: "/images/default-favicon.ico",
      title: ctx.title,
      description: "A community of people who help each other.",
      header_primary_color: "333333",
      header_background_color: "ffffff",
      login_required: false,
      locale: texts.locale,
      include_in_discourse_discover: false,
      mobile_logo_url: "",
    });
  });

  const invalidLocale = (res: Response) =>
    void res.status(400).json({ errors: ["Invalid parameter: locale"], error_type: "invalid_parameters" });
  const serialize = (id: string, locale: string) => {
    const value = texts.overrides.get(`${locale}:${id}`) ?? DEFAULTS[id]!;
    const keys = [...keysOf(DEFAULTS[id]!)];
    const overridden = texts.overrides.has(`${locale}:${id}`);
    return {
      site_text: {
        id,
        value,
        interpolation_keys: keys,
        has_interpolation_keys: keys.length > 0,
        overridden,
        can_revert: overridden,
      },
    };
  };

  app.get("/admin/customize/site_texts/:id.json", (req, res) => {
    const locale = String(req.query.locale ?? "");
    if (!LOCALES.has(locale)) return invalidLocale(res);
    const id = String(req.params.id);
    if (!(id in DEFAULTS)) return void res.status(404).json(ERR_404);
    res.json(serialize(id, locale));
  });

  app.put("/admin/customize/site_texts/:id.json", (req, res) => {
    const body = (req.body?.site_text ?? {}) as { value?: unknown; locale?: unknown };
    const locale = String(body.locale ?? "");
    if (!LOCALES.has(locale)) return invalidLocale(res);
    const id = String(req.params.id);
    if (!(id in DEFAULTS)) return void res.status(404).json(ERR_404);
    const value = String(body.value ?? "");
    const allowed = keysOf(DEFAULTS[id]!);
    const invalid = [...keysOf(value)].filter((k) => !allowed.has(k));
    if (invalid.length)
      return void res.status(422).json({
        failed: "FAILED",
        message: `The following interpolation key(s) are invalid: ${invalid.join(", ")}`,
      });
    ctx.log(req, res);
    texts.overrides.set(`${locale}:${id}`, value);
    res.json(serialize(id, locale));
  });

  return texts;
}
