// The embeddings provider the environment configures: FINDINGMODEL_EMBEDDINGS_URL (the API's base
// URL, or "builtin" for the offline model of builtin-embeddings.ts), _MODEL and, for services
// that need one, _API_KEY. Without a URL there is none (search is lexical); a service URL without
// a model is an error naming both variables.
import { EnvironmentVariableError } from "../environment.js";
import { BUILTIN_MODEL, BuiltinEmbeddings } from "./builtin-embeddings.js";
import { EmbeddingsError, type EmbeddingsProvider } from "./provider.js";
import { OpenAIEmbeddings } from "./openai-embeddings.js";

/** The URL that chooses the built-in offline model instead of a service. */
export const BUILTIN_URL = "builtin";

export interface EmbeddingsConfig {
  url?: string;
  model?: string;
  apiKey?: string;
}

/** The provider `config` (else the environment) describes, or undefined when it names no URL. */
export function embeddingsFromConfig(config: EmbeddingsConfig = {}, env: NodeJS.ProcessEnv = process.env): EmbeddingsProvider | undefined {
  const url = config.url ?? given(env.FINDINGMODEL_EMBEDDINGS_URL);
  if (url === undefined) return undefined;
  const model = config.model ?? given(env.FINDINGMODEL_EMBEDDINGS_MODEL);
  if (url.trim().toLowerCase() === BUILTIN_URL) return builtin(model);
  if (model === undefined) {
    throw new EnvironmentVariableError(`an embeddings URL is set (${url}) but no model: set FINDINGMODEL_EMBEDDINGS_MODEL (e.g. nomic-embed-text), or unset FINDINGMODEL_EMBEDDINGS_URL for lexical search only`);
  }
  try {
    return new OpenAIEmbeddings({ url, model, apiKey: config.apiKey ?? given(env.FINDINGMODEL_EMBEDDINGS_API_KEY) });
  } catch (e) {
    if (e instanceof EmbeddingsError) throw new EnvironmentVariableError(`FINDINGMODEL_EMBEDDINGS_URL: ${e.message}`);
    throw e;
  }
}

function builtin(model: string | undefined): BuiltinEmbeddings {
  if (model !== undefined && model !== BUILTIN_MODEL) {
    throw new EnvironmentVariableError(`FINDINGMODEL_EMBEDDINGS_URL is "${BUILTIN_URL}", whose only model is "${BUILTIN_MODEL}"; got FINDINGMODEL_EMBEDDINGS_MODEL "${model}" (unset it, or set a service's URL for another model)`);
  }
  try {
    return new BuiltinEmbeddings();
  } catch (e) {
    if (e instanceof EmbeddingsError) throw new EnvironmentVariableError(`FINDINGMODEL_EMBEDDINGS_URL=${BUILTIN_URL}: ${e.message}`);
    throw e;
  }
}

function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
