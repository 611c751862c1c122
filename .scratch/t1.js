const Ajv = require('ajv/dist/2020').default; const addFormats = require('ajv-formats').default;
const s = require('../openapi/schemas/learner-record.v1.schema.json');
const ajv = new Ajv({allErrors:true, strict:true}); addFormats(ajv, ['date','date-time','email','uri']);
const v = ajv.compile(s); console.log('compiled');
const { compile } = require('json-schema-to-typescript');
compile({...s, title:'LearnerRecord'}, 'LearnerRecord', {bannerComment:'', unreachableDefinitions:true, maxItems:-1, unknownAny:true, additionalProperties:false}).then(t=>console.log(t));
