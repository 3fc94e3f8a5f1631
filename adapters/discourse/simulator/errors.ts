/** Discourse's error bodies (ApplicationController#render_json_error), shared by every route. */
export const ERR_403 = {
  errors: ["You are not permitted to view the requested resource."],
  error_type: "invalid_access",
};
export const ERR_404 = { errors: ["The requested URL or resource could not be found."], error_type: "not_found" };
