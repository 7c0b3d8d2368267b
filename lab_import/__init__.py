"""Reading lab files (HL7 v2, FHIR, CSV) into `app.lab_results.LabResult`s: only reading;
what a result means and whose it is is decided in app/."""
