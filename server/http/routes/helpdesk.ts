// R18: the telephony system asks whether a caller is a ServicePlus customer and whether the
// business helpdesk is open now (a `telephony` operator token may do only this); and the two
// business calendars as configured (R13 swap SLA, R18 helpdesk).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PhoneLookupQuerySchema } from '../../rules/helpdesk-routing.js';
import { CalendarsSchema, HelpdeskAnswerSchema } from '../../services/helpdesk.js';
import { errorResponses } from '../schemas.js';

export const helpdeskRoutes: FastifyPluginAsyncZod = async (app) => {
  const { helpdesk } = app.services;

  app.get(
    '/api/v1/helpdesk/lookup',
    {
      config: { access: { operators: ['telephony', 'helpdesk', 'admin'] } },
      schema: {
        tags: ['helpdesk'],
        summary: 'R18: is the caller (?number=020-3987656, any usual form) a ServicePlus customer, and is the business helpdesk open now?',
        querystring: PhoneLookupQuerySchema,
        response: { 200: HelpdeskAnswerSchema, ...errorResponses },
      },
    },
    async (request) => helpdesk.lookup(request.query.number),
  );

  app.get(
    '/api/v1/calendars',
    {
      config: { access: { operators: ['noc', 'helpdesk', 'admin', 'telephony'] } },
      schema: {
        tags: ['helpdesk'],
        summary: 'R13/R18: the swap SLA’s business hours and the business helpdesk’s, as configured, and whether each is open now',
        response: { 200: CalendarsSchema, ...errorResponses },
      },
    },
    async () => helpdesk.calendars(),
  );
};
