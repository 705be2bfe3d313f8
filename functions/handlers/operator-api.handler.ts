// Placeholder while the use case is written; replaced by the real middy handler.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 503,
  body: JSON.stringify({ error: "not ready" }),
});
